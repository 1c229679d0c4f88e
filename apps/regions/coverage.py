"""The coverage matrix: for every region-theme pair, how many published articles and the latest.

One aggregate query whatever the number of regions or themes, cached per content generation:
counting every region x theme x article row is O(archive) (≈ 0.1 s at 20k, more at 100k), and
the matrix only changes when content does. The cache key holds the generation, so an edit is
visible at once, and the lifetime ends at the next scheduled publish time.
"""

from dataclasses import dataclass
from datetime import datetime
from html import escape

from django.db import connection
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from apps.articles.models import Article
from apps.articles.urls_cache import slug_url
from config.caching import per_generation

from .models import Region, Theme

ArticleRegion = Article.regions.through
ArticleTheme = Article.themes.through


@dataclass(frozen=True)
class Cell:
    region_id: int
    theme_id: int
    count: int
    latest_title: str
    latest_slug: str
    latest_at: datetime


def coverage_cells(region: Region | None = None, theme: Theme | None = None) -> dict:
    """{(region_id, theme_id): Cell} for cells with at least one published article.

    One query, or none when this content generation's matrix is cached.
    """
    cells = per_generation("coverage", compute_cells)
    return {
        key: cell
        for key, cell in cells.items()
        if (region is None or key[0] == region.pk) and (theme is None or key[1] == theme.pk)
    }


def compute_cells() -> dict:
    """The whole matrix from the database, in one query.

    Counts and latest publish time per cell come from a hash aggregate over the two link tables
    joined to published articles (an index-only scan); each cell's latest article is then found
    through the publish-time index. Both parts start from `published()`.
    """
    published, published_params = (
        Article.objects.published().values("pk", "publish_at").query.sql_with_params()
    )
    latest, latest_params = (
        Article.objects.published()
        .filter(
            regions=RawSQL("cell.region_id", []),
            themes=RawSQL("cell.theme_id", []),
            publish_at=RawSQL("cell.latest_at", []),
        )
        .order_by("-pk")
        .values("title", "slug", "publish_at")[:1]
        .query.sql_with_params()
    )
    sql = f"""
        WITH cell AS (
            SELECT r.region_id, t.theme_id, count(*) AS n, max(p.publish_at) AS latest_at
            FROM ({published}) p
            JOIN {ArticleRegion._meta.db_table} r ON r.article_id = p.pk
            JOIN {ArticleTheme._meta.db_table} t ON t.article_id = p.pk
            GROUP BY r.region_id, t.theme_id
        )
        SELECT cell.region_id, cell.theme_id, cell.n, latest.title, latest.slug,
               latest.publish_at
        FROM cell, LATERAL ({latest}) latest
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [*published_params, *latest_params])
        rows = cursor.fetchall()
    return {(r, t): Cell(r, t, n, title, slug, at) for r, t, n, title, slug, at in rows}


def _short(text: str, limit: int = 60) -> str:
    # As Truncator.chars(), at a tenth of its cost: the grid has 150 titles.
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _level(count: int) -> int:
    return 4 if count >= 10 else 3 if count >= 5 else 2 if count >= 2 else 1


def matrix(
    regions: list[Region],
    themes: list[Theme],
    cells: dict,
    caption: str = "Coverage by region and theme",
) -> SafeString:
    """The coverage table: a row per region, a cell per theme linking to the intersection.

    Written here rather than in a template: 150 cells of `{% if %}` and filters cost the home
    page ~10 ms a request, this about one. Every text and URL is escaped (`escape`).
    """
    # One reverse() per kind of link for the whole grid, not one per cell.
    intersection = reverse("regions:intersection", args=["__region__", "__theme__"])
    region_url = slug_url("regions:detail")
    theme_url = slug_url("regions:theme")
    empty = (
        '<td class="matrix__cell matrix__cell--0"><span class="matrix__none">'
        '—<span class="visually-hidden"> nothing yet</span></span></td>'
    )
    names = {t.pk: escape(t.name) for t in themes}
    out = [
        '<div class="matrix-wrap" role="region" aria-labelledby="matrix-caption" tabindex="0">\n'
        f'<table class="matrix">\n  <caption id="matrix-caption">{escape(caption)}</caption>\n'
        '  <thead><tr><th scope="col">Region</th>'
    ]
    out += [
        f'<th scope="col"><a href="{escape(theme_url(t.slug))}">{names[t.pk]}</a></th>'
        for t in themes
    ]
    out.append("</tr></thead>\n  <tbody>")
    for region in regions:
        name = escape(region.name)
        out.append(
            f'\n    <tr><th scope="row"><a href="{escape(region_url(region.slug))}">{name}</a></th>'
        )
        for theme in themes:
            cell = cells.get((region.pk, theme.pk))
            if cell is None:
                out.append(empty)
                continue
            url = intersection.replace("__region__", region.slug).replace("__theme__", theme.slug)
            latest = escape(_short(cell.latest_title))
            out.append(
                f'<td class="matrix__cell matrix__cell--{_level(cell.count)}">'
                f'<a href="{escape(url)}"><span class="matrix__count">{cell.count}'
                f'<span class="visually-hidden"> on {names[theme.pk]} in {name}</span></span> '
                f'<span class="matrix__latest">Latest: {latest}</span></a></td>'
            )
        out.append("\n    </tr>")
    out.append("\n  </tbody>\n</table>\n</div>")
    return mark_safe("".join(out))
