"""The coverage matrix: for every region-theme pair, how many published articles and the latest.

One aggregate query whatever the number of regions or themes, cached per content generation:
counting every region x theme x article row is O(archive) (≈ 0.1 s at 20k, more at 100k), and
the matrix only changes when content does. The cache key holds the generation, so an edit is
visible at once, and the lifetime ends at the next scheduled publish time.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.db.models.expressions import RawSQL
from django.urls import reverse

from apps.articles.models import Article
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


@dataclass
class MatrixRow:
    region: Region
    cells: list


def matrix(regions: list[Region], themes: list[Theme], cells: dict) -> list[MatrixRow]:
    """Rows of (region, [(theme, cell or None, intersection url)]) for a template to lay out."""
    # One reverse() for the whole grid, not one per cell (150 of them on the home page).
    url = reverse("regions:intersection", args=["__region__", "__theme__"])
    url = url.replace("__region__", "{region}").replace("__theme__", "{theme}")
    return [
        MatrixRow(
            region,
            [
                (
                    theme,
                    cells.get((region.pk, theme.pk)),
                    url.format(region=region.slug, theme=theme.slug),
                )
                for theme in themes
            ],
        )
        for region in regions
    ]
