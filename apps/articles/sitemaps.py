"""sitemap.xml: every published article and every hub or listing that has published content.

URLs are absolute on SITE_URL (the canonical host), not on whatever host the request used.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Max, Q
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from apps.regions.coverage import coverage_cells
from apps.regions.models import Region, Theme

from .models import Article, Author, Format
from .reader import public_tags


class CanonicalSitemap(Sitemap):
    def get_protocol(self, protocol=None) -> str:
        return urlsplit(settings.SITE_URL).scheme or "https"

    def get_domain(self, site=None) -> str:
        return urlsplit(settings.SITE_URL).netloc


class PagesSitemap(CanonicalSitemap):
    changefreq = "daily"

    def items(self) -> list[str]:
        return ["articles:home", "regions:index", "regions:themes"]

    def location(self, item: str) -> str:
        return reverse(item)


class ArticleSitemap(CanonicalSitemap):
    changefreq = "weekly"

    def items(self):
        return (
            Article.objects.published()
            .only("slug", "publish_at", "last_updated_at")
            .order_by("-publish_at", "-pk")
        )

    def lastmod(self, item: Article):
        return max(filter(None, [item.publish_at, item.last_updated_at]))


def _latest_use(model, relation: str = "articles") -> dict:
    """{pk: (row, latest publish time)} for rows that published articles use. One query."""
    published = Q(**{f"{relation}__in": Article.objects.published()})
    rows = model.objects.annotate(latest=Max(f"{relation}__publish_at", filter=published))
    return {row.pk: row for row in rows.order_by("pk") if row.latest is not None}


class HubSitemap(CanonicalSitemap):
    """Region, theme, intersection, author, format and tag pages that have published content.

    Six queries for all of them, whatever their number.
    """

    changefreq = "daily"

    def items(self) -> list[tuple[str, tuple, object]]:
        regions = _latest_use(Region)
        themes = _latest_use(Theme)
        items = [("regions:detail", (r.slug,), r.latest) for r in regions.values()]
        items += [("regions:theme", (t.slug,), t.latest) for t in themes.values()]
        items += [
            (
                "regions:intersection",
                (regions[c.region_id].slug, themes[c.theme_id].slug),
                c.latest_at,
            )
            for c in sorted(coverage_cells().values(), key=lambda c: (c.region_id, c.theme_id))
            if c.region_id in regions and c.theme_id in themes
        ]
        items += [("articles:author", (a.slug,), a.latest) for a in _latest_use(Author).values()]
        items += [("articles:format", (f.slug,), f.latest) for f in _latest_use(Format).values()]
        tags = public_tags().annotate(
            latest=Max(
                "articles_taggedarticle_items__content_object__publish_at",
                filter=Q(
                    articles_taggedarticle_items__content_object__in=Article.objects.published()
                ),
            )
        )
        items += [("articles:tag", (t.slug,), t.latest) for t in tags.order_by("pk")]
        return items

    def location(self, item) -> str:
        return reverse(item[0], args=item[1])

    def lastmod(self, item):
        return item[2]


sitemaps = {
    "pages": PagesSitemap,
    "articles": ArticleSitemap,
    "hubs": HubSitemap,
}


@require_GET
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /search/",
        "",
        f"Sitemap: {settings.SITE_URL}{reverse('sitemap')}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
