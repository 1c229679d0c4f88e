"""The coverage matrix: for every region-theme pair, how many published articles and the latest.

One aggregate query whatever the number of regions, themes or articles: window functions count
each cell and rank its articles by recency, and only each cell's newest row comes back.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, F, Window
from django.db.models.functions import RowNumber
from django.urls import reverse

from apps.articles.models import Article

from .models import Region, Theme


@dataclass(frozen=True)
class Cell:
    region_id: int
    theme_id: int
    count: int
    latest_title: str
    latest_slug: str
    latest_at: datetime


def coverage_cells(region: Region | None = None, theme: Theme | None = None) -> dict:
    """{(region_id, theme_id): Cell} for cells with at least one published article. One query."""
    cell = [F("regions"), F("themes")]
    rows = Article.objects.published().annotate(region_id=F("regions"), theme_id=F("themes"))
    rows = rows.filter(region_id__isnull=False, theme_id__isnull=False)
    if region is not None:
        rows = rows.filter(region_id=region.pk)
    if theme is not None:
        rows = rows.filter(theme_id=theme.pk)
    rows = (
        rows.annotate(
            count=Window(Count("pk"), partition_by=cell),
            rank=Window(
                RowNumber(), partition_by=cell, order_by=[F("publish_at").desc(), F("pk").desc()]
            ),
        )
        .filter(rank=1)
        .order_by()
        .values_list("region_id", "theme_id", "count", "title", "slug", "publish_at")
    )
    return {(r, t): Cell(r, t, n, title, slug, at) for r, t, n, title, slug, at in rows}


@dataclass
class MatrixRow:
    region: Region
    cells: list


def matrix(regions: list[Region], themes: list[Theme], cells: dict) -> list[MatrixRow]:
    """Rows of (region, [(theme, cell or None, intersection url)]) for a template to lay out."""
    return [
        MatrixRow(
            region,
            [
                (
                    theme,
                    cells.get((region.pk, theme.pk)),
                    reverse("regions:intersection", args=[region.slug, theme.slug]),
                )
                for theme in themes
            ],
        )
        for region in regions
    ]
