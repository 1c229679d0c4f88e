from django.db.models import Count, F, Max, Q
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from apps.articles import metadata, reader, rendering
from apps.articles.models import Article

from . import hubs
from .coverage import coverage_cells, matrix
from .models import Region, Theme


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """All regions with their article counts, and the coverage matrix. Three queries."""
    published = Q(articles__in=Article.objects.published())
    # Aggregation drops Meta.ordering; order explicitly, each wider region before its parts.
    regions = list(
        Region.objects.annotate(count=Count("articles", filter=published)).order_by(
            Coalesce("parent__order", "order"), F("parent").asc(nulls_first=True), "order", "name"
        )
    )
    themes = list(Theme.objects.all())
    return render(
        request,
        "regions/index.html",
        {
            "regions": regions,
            "themes": themes,
            "matrix": matrix(regions, themes, coverage_cells()),
            "json_ld": metadata.breadcrumbs(("Regions", request.path)),
        },
    )


@require_GET
def detail(request: HttpRequest, region: str) -> HttpResponse:
    """Region hub: description, latest, breakdown by theme, sections in other articles."""
    vocabulary = reader.load_vocabulary()
    place = vocabulary.region(region)
    page = rendering.card_page(request, regions=place.pk)
    cells = coverage_cells(region=place)
    url = hubs.intersection_url()
    breakdown = [
        (t, cells[(place.pk, t.pk)], url(place.slug, t.slug))
        for t in vocabulary.ordered_themes()
        if (place.pk, t.pk) in cells
    ]
    parent = place.parent_region
    trail = [(parent.name, parent.get_absolute_url())] if parent else []
    return render(
        request,
        "regions/detail.html",
        {
            "region": place,
            "parent": parent,
            "children": [r for r in vocabulary.ordered_regions() if r.parent_id == place.pk],
            "page": page,
            "breakdown": hubs.breakdown(breakdown),
            "sections": hubs.sections_html(hubs.sections_elsewhere("regions", place)),
            "json_ld": metadata.breadcrumbs(
                ("Regions", reverse("regions:index")),
                *trail,
                (place.name, place.get_absolute_url()),
            ),
        },
    )


@require_GET
def intersection(request: HttpRequest, region: str, theme: str) -> HttpResponse:
    """One region on one theme, e.g. /regions/japan/trade/."""
    vocabulary = reader.load_vocabulary()
    place = vocabulary.region(region)
    subject = vocabulary.theme(theme)
    page = rendering.card_page(request, regions=place.pk, themes=subject.pk)
    return render(
        request,
        "regions/intersection.html",
        {
            "region": place,
            "theme": subject,
            "page": page,
            "other_themes": [t for t in vocabulary.ordered_themes() if t.pk != subject.pk],
            "json_ld": metadata.breadcrumbs(
                ("Regions", reverse("regions:index")),
                (place.name, place.get_absolute_url()),
                (subject.name, request.path),
            ),
        },
    )


@require_GET
def themes(request: HttpRequest) -> HttpResponse:
    """All themes with their article counts and latest publication. One query."""
    published = Q(articles__in=Article.objects.published())
    rows = Theme.objects.annotate(
        count=Count("articles", filter=published),
        latest=Max("articles__publish_at", filter=published),
    )
    return render(
        request,
        "regions/themes.html",
        {"themes": rows, "json_ld": metadata.breadcrumbs(("Themes", request.path))},
    )


@require_GET
def theme(request: HttpRequest, theme: str) -> HttpResponse:
    """Theme hub: latest, breakdown by region, sections on the theme inside other articles."""
    vocabulary = reader.load_vocabulary()
    subject = vocabulary.theme(theme)
    page = rendering.card_page(request, themes=subject.pk)
    cells = coverage_cells(theme=subject)
    url = hubs.intersection_url()
    breakdown = [
        (r, cells[(r.pk, subject.pk)], url(r.slug, subject.slug))
        for r in vocabulary.ordered_regions()
        if (r.pk, subject.pk) in cells
    ]
    return render(
        request,
        "regions/theme.html",
        {
            "theme": subject,
            "page": page,
            "breakdown": hubs.breakdown(breakdown),
            "sections": hubs.sections_html(hubs.sections_elsewhere("themes", subject)),
            "json_ld": metadata.breadcrumbs(
                ("Themes", reverse("regions:themes")), (subject.name, subject.get_absolute_url())
            ),
        },
    )
