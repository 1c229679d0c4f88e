from django import forms

from apps.articles.models import Author, Format
from apps.regions.models import Region, Theme

MAX_QUERY_LENGTH = 200
MAX_PAGE = 1000


class SlugChoiceField(forms.ModelChoiceField):
    """A vocabulary value given by slug in the URL (?region=japan); costs a query when given."""

    def __init__(self, queryset, **kwargs):
        super().__init__(queryset, to_field_name="slug", required=False, **kwargs)


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
