from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator

from apps.articles.models import Author, Format
from apps.regions.models import Region, Theme

MAX_QUERY_LENGTH = 200
MAX_PAGE = 1000


class SlugChoiceField(forms.Field):
    """A vocabulary value given by slug in the URL (?region=japan); costs a query when given.

    It cleans as `ModelChoiceField(queryset, to_field_name="slug")` does, without being one:
    every form deep-copies its fields, and copying a ModelChoiceField clones its queryset and
    rebuilds its widget's choices, four times a search (~0.1 ms each) for choices this page
    never lists. The queryset is only filtered (`get()`), never evaluated, so copies share it.
    """

    default_error_messages = {
        "invalid_choice": forms.ModelChoiceField.default_error_messages["invalid_choice"]
    }

    def __init__(self, queryset, **kwargs):
        super().__init__(required=False, **kwargs)
        self.queryset = queryset

    def to_python(self, value):
        if value in self.empty_values:
            return None
        ProhibitNullCharactersValidator()(value)
        try:
            return self.queryset.get(slug=value)
        except (ValueError, TypeError, self.queryset.model.DoesNotExist):
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            ) from None


class SearchForm(forms.Form):
    """The query string of /search/: validated here so the database never sees raw input."""

    q = forms.CharField(required=False, strip=True)
    region = SlugChoiceField(Region.objects.all())
    theme = SlugChoiceField(Theme.objects.all())
    format = SlugChoiceField(Format.objects.all())
    author = SlugChoiceField(Author.objects.all())
    year = forms.IntegerField(required=False, min_value=1900, max_value=2200)
    page = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGE)

    def clean_q(self) -> str:
        q = " ".join(self.cleaned_data["q"].split())
        self.truncated = len(q) > MAX_QUERY_LENGTH
        return q[:MAX_QUERY_LENGTH]
