"""The home page: the featured piece, the latest cards, a block per region and per theme, the
coverage matrix.

The blocks and the latest cards come from one query, the newest `WINDOW` published articles,
and Python writes the blocks' HTML (as `apps.regions.coverage.matrix` writes the table): 25
blocks of three links were ~500 template nodes a request, most of the page's template time.
"""

from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from html import escape

from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.db import connections, router
from django.db.models import OuterRef
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from apps.media.models import Image
from apps.regions.coverage import coverage_cells, matrix

from . import metadata, reader, rendering
from .citation import MONTHS
from .models import Article, Author, Byline, Format
from .urls_cache import slug_url

# The newest published articles read for the blocks: a term with `PER_TERM` of them among
# these has its newest there; only the others need a query of their own (`by_term`).
WINDOW = 150
PER_TERM = 3
LATEST = 8

ArticleRegion = Article.regions.through
ArticleTheme = Article.themes.through


@dataclass(slots=True)
class Newest:
    """A published article as the blocks and the latest cards read it."""

    pk: int
    title: str
    slug: str
    publish_at: datetime
    render_token: int = 0
    region_ids: list[int] | None = None
    theme_ids: list[int] | None = None
    # Set by `rendering.with_cards` for the latest cards.
    card_key: str = ""
    card_html: str = ""


def _ids(through, fk: str) -> ArraySubquery:
    return ArraySubquery(through.objects.filter(article_id=OuterRef("pk")).values(fk))


@cache
def _window_query() -> tuple[str, list]:
    """`newest()`'s SQL, compiled once per process from the published gate (as
    `rendering._page_query`): compiling it, with its two array subqueries, cost about as long
    as PostgreSQL takes to run it."""
    rows = (
        Article.objects.published()
        .order_by("-publish_at", "-pk")
        .annotate(
            region_ids=_ids(ArticleRegion, "region_id"), theme_ids=_ids(ArticleTheme, "theme_id")
        )
        .values_list("pk", "title", "slug", "publish_at", "render_token", "region_ids", "theme_ids")
    )
    sql, params = rows.query.sql_with_params()
    return f"{sql} LIMIT %s", list(params)


def newest(window: int = WINDOW) -> list[Newest]:
    """The newest `window` published articles, newest first, with their region and theme ids
    and render tokens. One query (a walk of the publish-order index)."""
    sql, params = _window_query()
    with reader.prepared_cursor(router.db_for_read(Article)) as cursor:
        cursor.execute(sql, [*reader.bind(params), window])
        return [Newest(*row) for row in cursor.fetchall()]


def by_term(
    rows: list[Newest],
    vocabulary: reader.Vocabulary,
    per_term: int = PER_TERM,
    window: int = WINDOW,
) -> tuple[dict[int, list[Newest]], dict[int, list[Newest]]]:
    """The newest `per_term` published articles of every region and of every theme, as
    ({region_id: [article]}, {theme_id: [article]}), newest first, from `rows`
    (`newest(window)`).

    A term with fewer than `per_term` of them in the window gets its own `ORDER BY publish_at
    DESC LIMIT per_term` part, all such parts in one more query, which a busy archive rarely
    needs: one part for every term cost more to plan than to run (6.5 ms for 25 terms);
    numbering every term's articles grew with the archive (1 s at 20k).
    """
    blocks: dict[str, dict[int, list[Newest]]] = {"r": {}, "t": {}}
    for row in rows:
        for kind, ids in (("r", row.region_ids), ("t", row.theme_ids)):
            for term in ids or ():
                found = blocks[kind].setdefault(term, [])
                if len(found) < per_term:
                    found.append(row)
    if len(rows) < window:  # the window held every published article
        return blocks["r"], blocks["t"]
    pub, pub_params = reader.published_condition("a")
    now = timezone.now()
    parts, params = [], []
    for kind, through, fk, terms in (
        ("r", ArticleRegion, "region_id", vocabulary.regions),
        ("t", ArticleTheme, "theme_id", vocabulary.themes),
    ):
        for term in terms:
            if len(blocks[kind].get(term, ())) >= per_term:
                continue
            blocks[kind].pop(term, None)
            # Client-side binding: the planner sees each term as a literal and picks per term.
            parts.append(
                f"(SELECT %s, %s, a.id, a.title, a.slug, a.publish_at"
                f" FROM {Article._meta.db_table} a JOIN {through._meta.db_table} t"
                f" ON t.article_id = a.id WHERE t.{fk} = %s AND {pub}"
                " ORDER BY a.publish_at DESC, a.id DESC LIMIT %s)"
            )
            params += [kind, term, term, *reader.bind(pub_params, now=now), per_term]
    if parts:
        with connections[router.db_for_read(Article)].cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), params)
            for kind, term, pk, title, slug, publish_at in cursor.fetchall():
                blocks[kind].setdefault(term, []).append(Newest(pk, title, slug, publish_at))
        for terms in blocks.values():
            for found in terms.values():
                found.sort(key=lambda a: (a.publish_at, a.pk), reverse=True)
    return blocks["r"], blocks["t"]


def blocks_html(kind: str, terms: list, found: dict[int, list[Newest]]) -> SafeString:
    """The blocks of `terms` (regions or themes, in order) that have articles: a heading
    linking to the term's hub, then its newest articles with their dates. Every text and URL
    is escaped (`escape`); written here rather than in a template for its cost (see above)."""
    article_url = slug_url("articles:detail")
    tz = timezone.get_current_timezone()
    items: dict[int, str] = {}  # an article is listed in several blocks: write it once
    out = []
    for term in terms:
        articles = found.get(term.pk)
        if not articles:
            continue
        slug = escape(term.slug)
        out.append(
            f'\n    <section class="block" aria-labelledby="{kind}-block-{slug}">'
            f'\n      <h3 class="block__title" id="{kind}-block-{slug}">'
            f'<a href="{escape(term.url)}">{escape(term.name)}</a></h3>'
            '\n      <ul class="block__list">'
        )
        for article in articles:
            item = items.get(article.pk)
            if item is None:
                # The dates as `Teaser.machine_date` and `short_date` print them.
                local = article.publish_at.astimezone(tz)
                machine = local.replace(microsecond=0).isoformat()
                short = f"{local.day} {MONTHS[local.month - 1][:3]} {local.year}"
                item = items[article.pk] = (
                    f'\n        <li><a href="{escape(article_url(article.slug))}">'
                    f"{escape(article.title)}</a> "
                    f'<time datetime="{machine}">{short}</time></li>'
                )
            out.append(item)
        out.append("\n      </ul>\n    </section>")
    return mark_safe("".join(out))


@dataclass(slots=True)
class Lead:
    """The lead story: the newest featured published piece, else the newest."""

    pk: int
    title: str
    slug: str
    dek: str
    publish_at: datetime
    featured: bool
    format_name: str
    format_slug: str
    hero_image_id: int | None
    region_ids: list[int]
    theme_ids: list[int]
    author_names: list[str]
    author_slugs: list[str]
    hero_image: Image | None = None
    region_list: list = field(default_factory=list)
    theme_list: list = field(default_factory=list)

    @property
    def url(self) -> str:
        return slug_url("articles:detail")(self.slug)

    @property
    def format_url(self) -> str:
        return slug_url("articles:format")(self.format_slug)

    # As the `machine` and `date:"j F Y"` filters print them (`reader.Teaser`'s dates).
    @property
    def machine_date(self) -> str:
        return timezone.localtime(self.publish_at).replace(microsecond=0).isoformat()

    @property
    def long_date(self) -> str:
        local = timezone.localtime(self.publish_at)
        return f"{local.day} {MONTHS[local.month - 1]} {local.year}"

    @property
    def byline(self) -> SafeString:
        """The authors as "A", "A and B" or "A, B and C", each name linking to its author page;
        names and URLs escaped here, so the joined links are safe."""
        author_url = slug_url("articles:author")
        links = [
            f'<a href="{escape(author_url(slug))}">{escape(name)}</a>'
            for name, slug in zip(self.author_names, self.author_slugs, strict=True)
        ]
        if len(links) > 1:
            links = [", ".join(links[:-1]), links[-1]]
        return mark_safe(" and ".join(links))


@cache
def _lead_query() -> tuple[str, list]:
    """`lead()`'s SQL, written once per process around the published gate
    (`reader.published_condition`): the newest featured piece, then the newest piece, each with
    its format, region and theme ids and authors. The ORM's version (the article, then its
    bylines) cost about twice as long to compile and load as to run."""
    pub, params = reader.published_condition("a")
    t = {
        "article": Article._meta.db_table,
        "format": Format._meta.db_table,
        "regions": ArticleRegion._meta.db_table,
        "themes": ArticleTheme._meta.db_table,
        "byline": Byline._meta.db_table,
        "author": Author._meta.db_table,
    }
    authors = (
        f"FROM {t['byline']} b JOIN {t['author']} au ON au.id = b.author_id"
        " WHERE b.article_id = a.id ORDER BY b.position, b.id"
    )
    part = (
        "(SELECT a.id, a.title, a.slug, a.dek, a.publish_at, a.featured, f.name, f.slug,"
        " a.hero_image_id,"
        f" ARRAY(SELECT r.region_id FROM {t['regions']} r WHERE r.article_id = a.id),"
        f" ARRAY(SELECT r.theme_id FROM {t['themes']} r WHERE r.article_id = a.id),"
        f" ARRAY(SELECT au.name {authors}), ARRAY(SELECT au.slug {authors})"
        f" FROM {t['article']} a JOIN {t['format']} f ON f.id = a.format_id"
        f" WHERE {pub}{{only}} ORDER BY a.publish_at DESC, a.id DESC LIMIT 1)"
    )
    sql = f"{part.format(only=' AND a.featured')} UNION ALL {part.format(only='')}"
    return sql, [*params, *params]


def lead() -> Lead | None:
    """The lead story with what it shows: one query, and two more (the image and its
    renditions) when it has a hero image. The caller resolves its region and theme ids."""
    sql, params = _lead_query()
    with reader.prepared_cursor(router.db_for_read(Article)) as cursor:
        cursor.execute(sql, reader.bind(params))
        rows = [Lead(*row) for row in cursor.fetchall()]
    # The newest featured piece if there is one (either part may have found it), else the
    # newest piece.
    found = next((row for row in rows if row.featured), rows[0] if rows else None)
    if found is not None and found.hero_image_id is not None:
        found.hero_image = Image.objects.with_renditions().filter(pk=found.hero_image_id).first()
    return found


def context() -> dict:
    """Everything the home page shows."""
    vocabulary = reader.load_vocabulary()
    rows = newest()
    featured = lead()
    if featured is not None:
        featured.region_list = vocabulary.regions_for(featured.region_ids)
        featured.theme_list = vocabulary.themes_for(featured.theme_ids)
    latest = [row for row in rows if featured is None or row.pk != featured.pk][:LATEST]
    regions = vocabulary.ordered_regions()
    themes = vocabulary.ordered_themes()
    region_articles, theme_articles = by_term(rows, vocabulary)
    return {
        "featured": featured,
        "latest": rendering.with_cards(latest),  # by pk; reads tokens with the cards
        "region_blocks": blocks_html("region", regions, region_articles),
        "theme_blocks": blocks_html("theme", themes, theme_articles),
        "matrix": matrix(regions, themes, coverage_cells()),
        "json_ld": {
            "@context": "https://schema.org",
            "@type": "WebSite",
            "name": settings.SITE_NAME,
            "url": metadata.absolute("/"),
            "potentialAction": {
                "@type": "SearchAction",
                "target": metadata.absolute("/search/?q={query}"),
                "query-input": "required name=query",
            },
        },
    }
