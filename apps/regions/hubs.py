"""What a region or theme hub shows beside its listing: the breakdown by the other vocabulary
(from the coverage matrix) and the term's sections inside other articles.

Both lists are written here as HTML, every text and URL escaped (`escape`), as
`coverage.matrix` writes the table: a hub printed them through ~100 template nodes and ~30
`reverse()` calls a request.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from html import escape

from django.db import connections, router
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from apps.articles import reader
from apps.articles.models import Article, Section
from apps.articles.urls_cache import slug_url

from .coverage import Cell
from .models import Region, Theme

SECTIONS_LIMIT = 8
SECTIONS_WINDOW = 1000


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
def _elsewhere_query(relation: str) -> tuple[str, dict]:
    """`sections_elsewhere`'s SQL for "regions" or "themes", written once per process around the
    published gate (`reader.published_condition`), with named parameters, and the gate's."""
    fk = {"regions": "region_id", "themes": "theme_id"}[relation]
    section_terms = getattr(Section, relation).through._meta.db_table
    article_terms = getattr(Article, relation).through._meta.db_table
    sections = Section._meta.db_table
    articles = Article._meta.db_table
    pub, pub_params = reader.published_condition("a")
    # The gate's parameters by name (g0, g1, …); its clock is bound at each call.
    numbers = iter(range(len(pub_params)))
    pub = re.sub("%s", lambda _: f"%(g{next(numbers)})s", pub)
    gate = {f"g{i}": p for i, p in enumerate(pub_params)}
    columns = "s.heading, s.anchor, a.title, a.slug"
    order = "ORDER BY a.publish_at DESC, a.id DESC, s.position"
    not_tagged = (
        f"NOT EXISTS (SELECT 1 FROM {article_terms} t WHERE t.article_id = a.id"
        f" AND t.{fk} = %(term)s)"
    )
    # The first part walks the newest articles and stops at the `limit`-th find: a LATERAL
    # part per article (OFFSET 0 keeps it one), so sections are read article by article in
    # publish order, not every section tagged with the term joined to the window.
    sql = f"""
        WITH recent AS MATERIALIZED (
            SELECT {columns}, a.publish_at, a.id, s.position
            FROM (
                SELECT a.id, a.title, a.slug, a.publish_at FROM {articles} a
                WHERE {pub} ORDER BY a.publish_at DESC, a.id DESC LIMIT %(window)s
            ) a
            CROSS JOIN LATERAL (
                SELECT s.heading, s.anchor, s.position FROM {sections} s
                WHERE s.article_id = a.id AND EXISTS (
                    SELECT 1 FROM {section_terms} st
                    WHERE st.section_id = s.id AND st.{fk} = %(term)s
                )
                OFFSET 0
            ) s
            WHERE {not_tagged}
            {order} LIMIT %(limit)s
        )
        SELECT 1, heading, anchor, title, slug FROM recent
        UNION ALL
        (
            SELECT 2, {columns}
            FROM {section_terms} st
            JOIN {sections} s ON s.id = st.section_id
            JOIN {articles} a ON a.id = s.article_id
            WHERE st.{fk} = %(term)s AND {pub} AND {not_tagged}
              AND (SELECT count(*) FROM recent) < %(limit)s
            {order} LIMIT %(limit)s
        )
    """
    return sql, gate


def sections_elsewhere(
    relation: str,
    term: Region | Theme,
    limit: int = SECTIONS_LIMIT,
    window: int = SECTIONS_WINDOW,
) -> list[Elsewhere]:
    """Sections tagged with a region/theme (`relation` "regions" or "themes") inside published
    articles not tagged with it, e.g. the trade section of a security piece for the Trade hub;
    newest articles first. One query.

    Its first part looks among the newest `window` published articles, which hold enough of a
    busy term's sections at any size of archive; only when they hold fewer than `limit` does
    the second part run (a one-time filter), probing every section tagged with the term,
    which grows with the archive.
    """
    sql, gate = _elsewhere_query(relation)
    now = timezone.now()
    params = {name: now if isinstance(p, datetime) else p for name, p in gate.items()}
    params.update(term=term.pk, limit=limit, window=window)
    with connections[router.db_for_read(Section)].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if any(part == 2 for part, *_ in rows):
        rows = [row for row in rows if row[0] == 2]
    return [Elsewhere(*row[1:]) for row in rows]


def sections_html(sections: list[Elsewhere]) -> SafeString:
    """The "elsewhere" list's items: the section's heading linking to it, then its article."""
    return mark_safe(
        "".join(
            f'\n        <li><a href="{escape(section.url)}">{escape(section.heading)}</a> '
            f'<span class="link-list__meta">in {escape(section.article_title)}</span></li>'
            for section in sections
        )
    )
