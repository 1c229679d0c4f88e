"""Pagination that stays cheap however deep a listing goes, and counts nothing.

Page numbers are validated by a form (anything but 1…MAX_PAGES is a 404, never a 500). A page
reads one row more than it shows, which tells whether another page follows: no `COUNT(*)`,
which cost a listing of a busy region a third of its time (it walked up to MAX_PAGES pages of
rows to number them). Readers get "Newer" and "Older" links and the page's number; hubs show
their totals from the coverage matrix. Older pieces stay reachable through feeds, search and
the sitemap.
"""

from collections.abc import Callable

from django import forms
from django.db.models import QuerySet
from django.http import Http404, HttpRequest

PER_PAGE = 20
MAX_PAGES = 50


class PageForm(forms.Form):
    page = forms.IntegerField(min_value=1, max_value=MAX_PAGES, required=False)


class Page:
    """One page of a listing: its rows and its neighbours, with the names templates know
    from Django's `Page`."""

    def __init__(self, rows: list, number: int, per_page: int) -> None:
        self.number = number
        self.object_list = rows[:per_page]
        self._has_next = len(rows) > per_page and number < MAX_PAGES

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    def has_next(self) -> bool:
        return self._has_next

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_next() or self.has_previous()

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


def paginate(
    request: HttpRequest,
    rows: QuerySet | Callable[[int, int], list],
    per_page: int | None = None,
) -> Page:
    """The requested page of `rows` (a queryset, or a function of the first row's offset and
    how many rows to read: one query either way), or 404: a page number out of range, or past
    the end of the listing (the first page exists, empty, for an empty listing)."""
    per_page = per_page or PER_PAGE
    form = PageForm(request.GET)
    if not form.is_valid():
        raise Http404("No such page")
    number = form.cleaned_data["page"] or 1
    start = (number - 1) * per_page
    if isinstance(rows, QuerySet):
        rows = list(rows[start : start + per_page + 1])
    else:
        rows = rows(start, per_page + 1)
    if not rows and number > 1:
        raise Http404("No such page")
    return Page(rows, number, per_page)
