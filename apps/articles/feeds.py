"""RSS 2.0 and Atom feeds: the site's and one per listing (region, theme, both, tag, author,
format). Each feed is five or six queries whatever it holds: the object, the items, and the
prefetched bylines, regions, themes and tags."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

from apps.regions.models import Region, Theme

from .models import Article, Author, Byline, Format
from .reader import public_tags

FEED_LENGTH = 30


class ArticleFeed(Feed):
    """The site feed; subclasses narrow `filter_items` and describe their object."""

    feed_type = Rss201rev2Feed
    author_name = settings.SITE_NAME
    language = "en"

    def title(self, obj=None) -> str:
        return f"{settings.SITE_NAME}: latest analysis"

    def description(self, obj=None) -> str:
        return "Policy analysis by region and theme."

    def subtitle(self, obj=None) -> str:
        return self.description(obj)

    def link(self, obj=None) -> str:
        return reverse("articles:home")

    def filter_items(self, queryset, obj):
        return queryset

    def get_feed(self, obj, request):
        # Links are absolute on SITE_URL (the canonical host), whatever host was asked.
        feed = super().get_feed(obj, request)
        feed.feed["feed_url"] = settings.SITE_URL + request.path
        feed.feed["link"] = settings.SITE_URL + self._get_dynamic_attr("link", obj)
        return feed

    def items(self, obj=None):
        queryset = (
            Article.objects.published()
            .select_related("format")
            .prefetch_related(
                Prefetch("bylines", queryset=Byline.objects.select_related("author")),
                "regions",
                "themes",
                "tags",
            )
            .order_by("-publish_at", "-pk")
        )
        return self.filter_items(queryset, obj)[:FEED_LENGTH]

    def item_title(self, item: Article) -> str:
        return item.title

    def item_description(self, item: Article) -> str:
        return item.seo_description or item.dek

    def item_link(self, item: Article) -> str:
        return settings.SITE_URL + item.get_absolute_url()

    def item_guid(self, item: Article) -> str:
        return settings.SITE_URL + item.get_absolute_url()

    item_guid_is_permalink = True

    def item_pubdate(self, item: Article):
        return item.publish_at

    def item_updateddate(self, item: Article):
        return max(filter(None, [item.publish_at, item.last_updated_at]))

    def item_author_name(self, item: Article) -> str | None:
        return ", ".join(b.author.name for b in item.bylines.all()) or None

    def item_author_link(self, item: Article) -> str | None:
        bylines = item.bylines.all()
        return settings.SITE_URL + bylines[0].author.get_absolute_url() if bylines else None

    def item_categories(self, item: Article) -> list[str]:
        return [
            item.format.name,
            *(r.name for r in item.regions.all()),
            *(t.name for t in item.themes.all()),
            *(t.name for t in item.tags.all()),
        ]


class AtomMixin:
    feed_type = Atom1Feed


class SiteFeed(ArticleFeed):
    pass


class SiteAtomFeed(AtomMixin, SiteFeed):
    pass


class RegionFeed(ArticleFeed):
    def get_object(self, request, region: str):
        return get_object_or_404(Region, slug=region)

    def title(self, obj) -> str:
        return f"{settings.SITE_NAME}: {obj.name}"

    def description(self, obj) -> str:
        return obj.description or f"Analysis on {obj.name}."

    def link(self, obj) -> str:
        return obj.get_absolute_url()

    def filter_items(self, queryset, obj):
        return queryset.filter(regions=obj)


class ThemeFeed(RegionFeed):
    def get_object(self, request, theme: str):
        return get_object_or_404(Theme, slug=theme)

    def filter_items(self, queryset, obj):
        return queryset.filter(themes=obj)


class IntersectionFeed(ArticleFeed):
    def get_object(self, request, region: str, theme: str):
        return (get_object_or_404(Region, slug=region), get_object_or_404(Theme, slug=theme))

    def title(self, obj) -> str:
        return f"{settings.SITE_NAME}: {obj[0].name} — {obj[1].name}"

    def description(self, obj) -> str:
        return f"Analysis on {obj[1].name.lower()} in {obj[0].name}."

    def link(self, obj) -> str:
        return reverse("regions:intersection", args=[obj[0].slug, obj[1].slug])

    def filter_items(self, queryset, obj):
        return queryset.filter(regions=obj[0]).filter(themes=obj[1])


class TagFeed(RegionFeed):
    def get_object(self, request, slug: str):
        return get_object_or_404(public_tags(), slug=slug)

    def description(self, obj) -> str:
        return f"Analysis tagged “{obj.name}”."

    def link(self, obj) -> str:
        return reverse("articles:tag", args=[obj.slug])

    def filter_items(self, queryset, obj):
        return queryset.filter(tags=obj)


class AuthorFeed(RegionFeed):
    def get_object(self, request, slug: str):
        return get_object_or_404(Author, slug=slug)

    def description(self, obj) -> str:
        return f"Analysis by {obj.name}."

    def filter_items(self, queryset, obj):
        return queryset.filter(authors=obj)


class FormatFeed(RegionFeed):
    def get_object(self, request, slug: str):
        return get_object_or_404(Format, slug=slug)

    def description(self, obj) -> str:
        return obj.description or f"{obj.name} pieces."

    def filter_items(self, queryset, obj):
        return queryset.filter(format=obj)


def atom(feed_class: type[ArticleFeed]) -> ArticleFeed:
    return type(f"{feed_class.__name__}Atom", (AtomMixin, feed_class), {})()
