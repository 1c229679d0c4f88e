"""What a region or theme hub shows beside its listing: the breakdown by the other vocabulary
(from the coverage matrix) and the term's sections inside other articles.

Both lists are written here as HTML, every text and URL escaped (`escape`), as
`coverage.matrix` writes the table: a hub printed them through ~100 template nodes and ~30
`reverse()` calls a request.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from html import escape

from django.db import router
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from apps.articles import reader
from apps.articles.models import Article, Section
from apps.articles.urls_cache import slug_url

from . import elsewhere
from .coverage import Cell
from .models import Region, Theme

SECTIONS_LIMIT = 8


@cache
def intersection_url() -> Callable[[str, str], str]:
    """A function from (region slug, theme slug) to the intersection's URL: one `reverse()`
    per process."""
    pattern = reverse("regions:intersection", args=["__region__", "__theme__"])
    return lambda region, theme: pattern.replace("__region__", region).replace("__theme__", theme)


def breakdown(pairs: list[tuple[Region | Theme, Cell, str]]) -> SafeString:
    """The breakdown's items: each (term, cell, intersection URL) as a link with the count,
    then the cell's latest article."""
    article_url = slug_url("articles:detail")
    return mark_safe(
        "".join(
            f'\n        <li><a href="{escape(url)}"><span class="breakdown__name">'
            f'{escape(term.name)}</span> <span class="breakdown__count">{cell.count}</span></a>'
            '\n          <span class="breakdown__latest">Latest: '
            f'<a href="{escape(article_url(cell.latest_slug))}">{escape(cell.latest_title)}</a>'
            "</span></li>"
            for term, cell, url in pairs
        )
    )


@dataclass(slots=True)
class Elsewhere:
    """A section tagged with the hub's term inside an article that is not."""

    heading: str
    anchor: str
    article_title: str
    article_slug: str

    @property
    def url(self) -> str:
        return f"{slug_url('articles:detail')(self.article_slug)}#{self.anchor}"


@cache
def _elsewhere_query(relation: str) -> tuple[str, list]:
    """`sections_elsewhere`'s SQL for "regions" or "themes", written once per process around the
    published gate (`reader.published_condition`, the clock its only parameter), and the
    gate's parameters."""
    model, fk = elsewhere.RELATIONS[relation]
    pub, gate = reader.published_condition("a", clock_only=True)
    # A range of the newest-first index from the clock down (drafts without a publish time
    # and scheduled pieces are above it), each row's article gated, in the list's order; the
    # sections of one article are put in order as they come (an incremental sort).
    sql = f"""
        SELECT s.heading, s.anchor, a.title, a.slug
        FROM {model._meta.db_table} e
        JOIN {Article._meta.db_table} a ON a.id = e.article_id
        JOIN {Section._meta.db_table} s ON s.id = e.section_id
        WHERE e.{fk} = %s AND e.publish_at <= %s AND {pub}
        ORDER BY e.publish_at DESC, e.article_id DESC, s.position, s.id
        LIMIT %s
    """
    return sql, gate


def sections_elsewhere(
    relation: str, term: Region | Theme, limit: int = SECTIONS_LIMIT
) -> list[Elsewhere]:
    """Sections tagged with a region/theme (`relation` "regions" or "themes") inside published
    articles not tagged with it, e.g. the trade section of a security piece for the Trade hub;
    newest articles first. One query, an index range (`SectionRegionElsewhere`) whose one
    plan fits every term, prepared (`reader.prepared_cursor`): planning it took three times
    as long as running it."""
    sql, gate = _elsewhere_query(relation)
    now = timezone.now()
    with reader.prepared_cursor(router.db_for_read(Section)) as cursor:
        cursor.execute(sql, [term.pk, now, *reader.bind(gate, now=now), limit])
        return [Elsewhere(*row) for row in cursor.fetchall()]


def sections_html(sections: list[Elsewhere]) -> SafeString:
    """The "elsewhere" list's items: the section's heading linking to it, then its article."""
    return mark_safe(
        "".join(
            f'\n        <li><a href="{escape(section.url)}">{escape(section.heading)}</a> '
            f'<span class="link-list__meta">in {escape(section.article_title)}</span></li>'
            for section in sections
        )
    )
