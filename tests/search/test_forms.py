import pytest
from django import forms as django_forms

from apps.search.forms import SearchForm
from tests.factories import RegionFactory

pytestmark = pytest.mark.django_db

INVALID_CHOICE = django_forms.ModelChoiceField.default_error_messages["invalid_choice"]


def test_a_vocabulary_slug_cleans_to_its_term_with_one_query(django_assert_num_queries):
    japan = RegionFactory(name="Japan", slug="japan")
    form = SearchForm({"q": "alliance", "region": "japan"})
    with django_assert_num_queries(1):
        assert form.is_valid()
    assert form.cleaned_data["region"] == japan
    assert form.cleaned_data["theme"] is None


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("atlantis", INVALID_CHOICE),
        (" japan", INVALID_CHOICE),  # not stripped, as a ModelChoiceField would not
        ("ja\x00pan", "Null characters are not allowed."),
    ],
)
def test_an_unknown_or_malformed_slug_is_a_field_error(value, error):
    RegionFactory(name="Japan", slug="japan")
    form = SearchForm({"region": value})
    assert not form.is_valid()
    assert form.errors["region"] == [error]


def test_forms_share_the_vocabulary_querysets_without_evaluating_them():
    first, second = SearchForm({}), SearchForm({"region": "japan"})
    second.is_valid()
    assert first.fields["region"].queryset is second.fields["region"].queryset
    assert first.fields["region"].queryset._result_cache is None
