"""Pagination that stays cheap however deep a listing goes.

Page numbers are validated by a form (anything but 1…MAX_PAGES is a 404, never a 500) and the
count is bounded: `COUNT(*)` over at most MAX_PAGES pages of rows, so neither the count nor the
OFFSET grows with the archive. Older pieces stay reachable through feeds and the sitemap.
"""

from django import forms
from django.core.paginator import InvalidPage, Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.functional import cached_property

PER_PAGE = 20
MAX_PAGES = 50


class PageForm(forms.Form):
    page = forms.IntegerField(min_value=1, max_value=MAX_PAGES, required=False)


class BoundedPaginator(Paginator):
    @cached_property
    def count(self) -> int:
        # Only the ids: the cards' annotations (region/theme arrays) cost nothing to count.
        return self.object_list.values("pk")[: self.per_page * MAX_PAGES].count()


def paginate(request: HttpRequest, queryset: QuerySet, per_page: int = PER_PAGE) -> Page:
    """The requested page of `queryset` (two queries: a bounded count and the page), or 404."""
    form = PageForm(request.GET)
    if not form.is_valid():
        raise Http404("No such page")
    number = form.cleaned_data["page"] or 1
    paginator = BoundedPaginator(queryset, per_page, allow_empty_first_page=True)
    try:
        return paginator.page(number)
    except InvalidPage:
        raise Http404("No such page") from None
