"""sitemap.xml: an index of sections that list every published article and every hub or
listing that has published content.

Articles come in pages of `ArticleSitemap.limit` URLs (`/sitemap-articles.xml?p=2`), so each
response stays small whatever the size of the archive: one 20k-URL document took 6.7 s to
render. URLs are absolute on SITE_URL (the canonical host), not on whatever host the request
used.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import SitemapIndexItem
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.db.models import Count, Max, Q
from django.db.models.functions import Coalesce, Greatest
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import escape
from django.views.decorators.http import require_GET

from apps.regions.coverage import coverage_cells
from apps.regions.models import Region, Theme
from config.caching import per_generation

from .models import Article, Author, Format
from .reader import public_tags

XMLNS = "http://www.sitemaps.org/schemas/sitemap/0.9"


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
    # URLs per page (the protocol allows up to 50,000): a page is written in ~50 ms.
    limit = 2000

    def items(self):
        return (
            Article.objects.published()
            .only("slug", "publish_at", "last_updated_at")
            .order_by("-publish_at", "-pk")
        )

    def lastmod(self, item: Article):
        return max(filter(None, [item.publish_at, item.last_updated_at]))

    def location(self, item: Article) -> str:
        # reverse() once per page, not once per URL (a third of the page's time).
        if not hasattr(self, "_detail"):
            self._detail = reverse("articles:detail", args=["-slug-"])
        return self._detail.replace("-slug-", item.slug)


def _latest_use(model, relation: str = "articles") -> dict:
    """{pk: (row, latest publish time)} for rows that published articles use. One query."""
    published = Q(**{f"{relation}__in": Article.objects.published()})
    rows = model.objects.annotate(latest=Max(f"{relation}__publish_at", filter=published))
    return {row.pk: row for row in rows.order_by("pk") if row.latest is not None}


class HubSitemap(CanonicalSitemap):
    """Region, theme, intersection, author, format and tag pages that have published content.

    Six aggregate queries for all of them, whatever their number; each reads the whole archive
    (0.45 s at 20k), so the list is cached per content generation.
    """

    changefreq = "daily"

    def items(self) -> list[tuple[str, tuple, object]]:
        return per_generation("sitemap-hubs", self.compute_items)

    @staticmethod
    def compute_items() -> list[tuple[str, tuple, object]]:
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
def sitemap_index(request: HttpRequest) -> TemplateResponse:
    """/sitemap.xml: one entry per section page, with the articles' latest change. One query.

    Django's own index view would name the request's host, not SITE_URL, and find each
    section's latest change by reading every item.
    """
    site = CanonicalSitemap()
    root = f"{site.get_protocol()}://{site.get_domain()}"
    articles = (
        Article.objects.published()
        .order_by()
        .aggregate(
            count=Count("pk"),
            latest=Max(Greatest("publish_at", Coalesce("last_updated_at", "publish_at"))),
        )
    )
    # Without published articles there are no hubs either; an empty section is a 404.
    pages = {"pages": 1}
    if articles["count"]:
        pages |= {"articles": -(-articles["count"] // ArticleSitemap.limit), "hubs": 1}
    entries = []
    for section, count in pages.items():
        url = root + reverse("sitemap-section", kwargs={"section": section})
        lastmod = articles["latest"] if section == "articles" else None
        entries.append(SitemapIndexItem(url, lastmod))
        entries += [SitemapIndexItem(f"{url}?p={page}", lastmod) for page in range(2, count + 1)]
    return TemplateResponse(
        request,
        "sitemap_index.xml",
        {"sitemaps": entries},
        content_type="application/xml",
        headers={"X-Robots-Tag": "noindex, noodp, noarchive"},
    )


@require_GET
def sitemap_section(request: HttpRequest, section: str) -> HttpResponse:
    """/sitemap-<section>.xml?p=N: one page of a section, written as a string.

    Django's sitemap view renders each URL through the template engine (~0.25 ms a URL here,
    half a second per 2,000); the document is five fixed elements a URL.
    """
    if section not in sitemaps:
        raise Http404("No such sitemap section")
    site = sitemaps[section]()
    try:
        page = site.paginator.page(request.GET.get("p", 1))
    except (EmptyPage, PageNotAnInteger):
        raise Http404("No such sitemap page") from None
    if not page.object_list:
        # The schema wants at least one URL; the index does not list empty sections.
        raise Http404("Empty sitemap section")
    root = f"{site.get_protocol()}://{site.get_domain()}"
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<urlset xmlns="{XMLNS}">']
    for item in page.object_list:
        entry = f"<url><loc>{escape(root + site.location(item))}</loc>"
        if (lastmod := site._get("lastmod", item)) is not None:
            entry += f"<lastmod>{lastmod.isoformat()}</lastmod>"
        if site.changefreq:
            entry += f"<changefreq>{site.changefreq}</changefreq>"
        lines.append(entry + "</url>")
    lines.append("</urlset>\n")
    return HttpResponse(
        "\n".join(lines),
        content_type="application/xml",
        headers={"X-Robots-Tag": "noindex, noodp, noarchive"},
    )


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
