"""What the public pages read, planned query by query.

Every function starts from `Article.objects.published()` and states what it costs, so that a
page's query count is the sum of the functions it calls and does not grow with content.
"""

from dataclasses import dataclass, field
from datetime import datetime
from functools import cache, cached_property

from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.db import connections, router
from django.db.backends.postgresql.base import CursorDebugWrapper, ServerBindingCursor
from django.db.backends.utils import CursorWrapper
from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    QuerySet,
    Value,
)
from django.http import Http404
from django.utils import timezone
from psycopg.sql import Literal
from taggit.models import Tag

from apps.regions.models import Region, Theme
from config.caching import per_generation

from .citation import MONTHS
from .links import Term, link_terms
from .models import Article, Byline, Section, TaggedArticle
from .urls_cache import slug_url

ArticleRegion = Article.regions.through
ArticleTheme = Article.themes.through
SectionRegion = Section.regions.through
SectionTheme = Section.themes.through

RELATED_LIMIT = 4
SEARCH_COLUMNS = ("search_head", "search_vector", "search_title")
# Candidates per shared term: enough that the best-scored pieces are found, few enough that
# scoring stays a few hundred index probes whatever the size of the archive.
RELATED_PER_TERM = 10
# Tags whose newest pieces are candidates (the rarest of the article's tags); every shared
# tag still counts in the score.
RELATED_TAG_TERMS = 6
RAIL_LIMIT = 4
REFERENCED_LIMIT = 10


@dataclass
class Vocabulary:
    """All regions and themes, loaded once per page (they are a few dozen rows)."""

    regions: dict[int, Region] = field(default_factory=dict)
    themes: dict[int, Theme] = field(default_factory=dict)

    def regions_for(self, ids) -> list[Region]:
        return sorted((self.regions[i] for i in set(ids or ()) if i in self.regions), key=_order)

    def themes_for(self, ids) -> list[Theme]:
        return sorted((self.themes[i] for i in set(ids or ()) if i in self.themes), key=_order)

    def region(self, slug: str) -> Region:
        """The region with this slug, its parent attached, or 404."""
        for region in self.regions.values():
            if region.slug == slug:
                region.parent_region = self.regions.get(region.parent_id)
                return region
        raise Http404("No such region")

    def theme(self, slug: str) -> Theme:
        for theme in self.themes.values():
            if theme.slug == slug:
                return theme
        raise Http404("No such theme")

    def ordered_regions(self) -> list[Region]:
        return sorted(self.regions.values(), key=_order)

    def ordered_themes(self) -> list[Theme]:
        return sorted(self.themes.values(), key=_order)

    def attach(self, articles) -> list[Article]:
        """Resolve each listed article's region and theme ids (see `listing()`)."""
        articles = list(articles)
        for article in articles:
            article.region_list = self.regions_for(article.region_ids)
            article.theme_list = self.themes_for(article.theme_ids)
        return articles

    def terms(self) -> list[Term]:
        return [
            Term(v.name, v.get_absolute_url())
            for v in (*self.regions.values(), *self.themes.values())
        ]


def _order(v) -> tuple:
    return (v.order, v.name)


def load_vocabulary() -> Vocabulary:
    """Every region and theme for a page: one query, or none while the content generation
    holds (a region or theme edit bumps it; `caching.per_generation`). Treat the result as
    read-only: a process shares it between requests. What is stored (renders) reads
    `read_vocabulary()` instead: a generation a second old must not reach stored HTML."""
    return per_generation("vocabulary", read_vocabulary)


def read_vocabulary() -> Vocabulary:
    """Every region and theme, in one query (a UNION of the two tables)."""
    regions = Region.objects.values_list(
        "pk", "name", "slug", "order", "parent_id", "description", Value("r")
    )
    themes = Theme.objects.values_list(
        "pk",
        "name",
        "slug",
        "order",
        Value(None, output_field=IntegerField()),
        "description",
        Value("t"),
    )
    vocabulary = Vocabulary()
    # Each term's hub URL, for templates that list many (`url`, not `get_absolute_url`).
    region_url, theme_url = slug_url("regions:detail"), slug_url("regions:theme")
    for pk, name, slug, order, parent_id, description, kind in regions.union(themes, all=True):
        if kind == "r":
            vocabulary.regions[pk] = region = Region(
                pk=pk,
                name=name,
                slug=slug,
                order=order,
                parent_id=parent_id,
                description=description,
            )
            region.url = region_url(slug)
        else:
            vocabulary.themes[pk] = theme = Theme(
                pk=pk, name=name, slug=slug, order=order, description=description
            )
            theme.url = theme_url(slug)
    return vocabulary


def _ids(through, fk: str, owner: str = "article_id") -> ArraySubquery:
    return ArraySubquery(through.objects.filter(**{owner: OuterRef("pk")}).values(fk))


BYLINES = Prefetch("bylines", queryset=Byline.objects.select_related("author"))
# With `select_related("hero_image")`: the renditions `{% picture %}` reads (apps/media).
HERO_RENDITIONS = "hero_image__renditions"


def page_article(base: QuerySet, **lookup) -> Article:
    """The article of `base` matching `lookup` with everything its page shows, or 404: the
    published gate's queryset for readers, all articles for the staff preview."""
    try:
        return page_articles(base).get(**lookup)
    except Article.DoesNotExist:
        raise Http404("No such article") from None


def page_articles(base: QuerySet) -> QuerySet:
    """Articles with everything their page shows: five prefetch queries for any number."""
    # Search vectors are kilobytes of text per row that the page never shows: leave them.
    sections = Section.objects.defer("search_vector").annotate(
        region_ids=_ids(SectionRegion, "region_id", "section_id"),
        theme_ids=_ids(SectionTheme, "theme_id", "section_id"),
    )
    return (
        base.select_related("format", "hero_image")
        .defer(*SEARCH_COLUMNS)
        .annotate(
            region_ids=_ids(ArticleRegion, "region_id"), theme_ids=_ids(ArticleTheme, "theme_id")
        )
        .prefetch_related(
            BYLINES,
            "tags",
            Prefetch("sections", queryset=sections),
            HERO_RENDITIONS,
            "update_notes",
        )
    )


def attach_vocabulary(article: Article, vocabulary: Vocabulary) -> None:
    """Resolve the article's and its sections' region/theme ids; link names in bodies."""
    article.region_list = vocabulary.regions_for(article.region_ids)
    article.theme_list = vocabulary.themes_for(article.theme_ids)
    terms = vocabulary.terms() if article.link_vocabulary else []
    for section in article.sections.all():
        section.region_list = vocabulary.regions_for(section.region_ids)
        section.theme_list = vocabulary.themes_for(section.theme_ids)
        section.display_html = link_terms(section.body_html, terms)


def primary(items: list) -> object | None:
    """The most specific term: a country before the wider region that contains it."""
    if not items:
        return None
    return sorted(items, key=lambda v: (getattr(v, "parent_id", 0) is None, v.order))[0]


def listing(queryset: QuerySet | None = None) -> QuerySet:
    """Published articles as list cards want them: format and bylines (one prefetch query),
    region and theme ids as arrays for `Vocabulary.attach()`."""
    base = queryset if queryset is not None else Article.objects.all()
    return card_articles(base.published())


def card_articles(queryset: QuerySet) -> QuerySet:
    """What rendering a card reads (`includes/card.html`), for any articles: the save path
    renders cards of scheduled articles too. Public code goes through `listing()`."""
    return (
        queryset
        # The search vectors are most of a row's width and no card shows them.
        .defer(*SEARCH_COLUMNS)
        .select_related("format", "hero_image")
        .annotate(
            region_ids=_ids(ArticleRegion, "region_id"), theme_ids=_ids(ArticleTheme, "theme_id")
        )
        .prefetch_related(BYLINES, HERO_RENDITIONS)
        .order_by("-publish_at", "-pk")
    )


def cards(queryset: QuerySet | None = None) -> QuerySet:
    """Published articles, newest first: what a listing walks (`rendering.card_page` compiles
    its ids query from this). `rendering.with_cards` then reads the tokens and stored cards of
    the page's rows only (a second query: a deep page skips hundreds of rows, and joining their
    cards cost more than the walk)."""
    base = queryset if queryset is not None else Article.objects.all()
    return base.published().order_by("-publish_at", "-pk")


def tag_uses(tags) -> dict[int, int]:
    """How many articles (of any status) carry each tag: `tags` is a list of tag ids or a
    queryset of `TaggedArticle` rows whose tags to count. One query."""
    if not isinstance(tags, QuerySet):
        tags = TaggedArticle.objects.filter(tag_id__in=list(tags))
    return dict(
        TaggedArticle.objects.filter(tag_id__in=tags.values("tag_id"))
        .order_by()
        .values("tag_id")
        .annotate(n=Count("*"))
        .values_list("tag_id", "n")
    )


# A region or theme carried by fewer articles than this when a page is rendered is "rare":
# `around` reads its rows rather than walking the newest articles to find its newest.
RARE_TERM_USES = 1000


def rare_terms(region_ids, theme_ids) -> tuple[list[int], list[int]]:
    """Which of these regions and themes are carried by fewer than `RARE_TERM_USES` articles
    (of any status; an index-only count that stops at the threshold). One query."""
    region_ids, theme_ids = sorted(set(region_ids)), sorted(set(theme_ids))
    if not region_ids and not theme_ids:
        return [], []
    part = (
        "SELECT %s, x.term FROM unnest(%s::bigint[]) x(term) WHERE (SELECT count(*) FROM"
        " (SELECT 1 FROM {table} t WHERE t.{fk} = x.term LIMIT %s) n) < %s"
    )
    sql = " UNION ALL ".join(
        part.format(table=through._meta.db_table, fk=fk)
        for through, fk in ((ArticleRegion, "region_id"), (ArticleTheme, "theme_id"))
    )
    params = ["r", region_ids, RARE_TERM_USES, RARE_TERM_USES]
    params += ["t", theme_ids, RARE_TERM_USES, RARE_TERM_USES]
    with connections[router.db_for_read(Article)].cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    return (
        [term for kind, term in found if kind == "r"],
        [term for kind, term in found if kind == "t"],
    )


def bind(params, markers: dict | None = None, now: datetime | None = None) -> list:
    """A compiled statement's parameters for this call: every datetime (the published gate's
    clock) read now, every marker (`SLUG_MARKER`, a listing's term markers) replaced by its
    value. Statements compiled once per process from the ORM (`_page_query`, listings, the tag
    check, the gate itself) are run through this."""
    now = now or timezone.now()
    markers = markers or {}
    return [
        now if isinstance(p, datetime) else markers.get(p, p) if isinstance(p, str | int) else p
        for p in params
    ]


def public_tag(slug: str) -> Tag:
    """The public tag (`public_tags`) with this slug, or 404. One query, its SQL compiled once
    per process (the ORM took longer to compile the EXISTS than PostgreSQL takes to run it)."""
    sql, params = _public_tag_query()
    with connections[router.db_for_read(Tag)].cursor() as cursor:
        cursor.execute(sql, bind(params, {SLUG_MARKER: slug}))
        found = cursor.fetchone()
    if found is None:
        raise Http404("No such tag")
    pk, name, slug = found
    return Tag(pk=pk, name=name, slug=slug)


SLUG_MARKER = "slug-marker-7301991"


@cache
def _public_tag_query() -> tuple[str, tuple]:
    rows = public_tags().filter(slug=SLUG_MARKER).values_list("pk", "name", "slug")[:1]
    sql, params = rows.query.sql_with_params()
    return sql, tuple(params)


def public_tags() -> QuerySet[Tag]:
    """Tags carried by at least one published article: the only tags readers may learn of."""
    # EXISTS, probed per tag from its newest public row down (taggedarticle_tag_newest_idx;
    # the copied publish time starts the range past drafts and scheduled pieces, the article's
    # own row decides): `pk IN (every tag of every published article)` hashed a million rows
    # at 100k to check one tag.
    return Tag.objects.filter(
        Exists(
            TaggedArticle.objects.filter(
                tag_id=OuterRef("pk"),
                publish_at__lte=timezone.now(),
                content_object__in=Article.objects.published(),
            )
        )
    )


# --- The live part of an article page ------------------------------------------------------------


def published_condition(alias: str, clock_only: bool = False) -> tuple[str, list]:
    """`Article.objects.published()`'s condition as SQL over table alias `alias`: the one gate,
    for hand-written queries. Compiled once per process (compiling took longer than the
    queries it gates); the clock is read on each call.

    With `clock_only`, every parameter but the clock is written into the SQL as a literal
    (the status): a prepared statement's one plan is then made knowing it (see `around`)."""
    sql, params = _published_condition(alias, clock_only)
    return sql, bind(params)


@cache
def _published_condition(alias: str, clock_only: bool) -> tuple[str, tuple]:
    query = Article.objects.published().query
    db = router.db_for_read(Article)
    sql, params = query.where.as_sql(query.get_compiler(using=db), connections[db])
    sql = sql.replace(f'"{Article._meta.db_table}".', f"{alias}.")
    if not clock_only:
        return sql, tuple(params)
    pieces = sql.split("%s")
    kept, written = [], [pieces[0]]
    for param, piece in zip(params, pieces[1:], strict=True):
        if isinstance(param, datetime):
            kept.append(param)
            written.append("%s")
        else:
            written.append(Literal(str(param)).as_string())
        written.append(piece)
    return "".join(written), tuple(kept)


PREPARE_THRESHOLD = 5  # psycopg's default; `_PreparingCursor` prepares on first use anyway


class _PreparingCursor(ServerBindingCursor):
    """Binds parameters on the server and keeps the statement prepared on its connection."""

    def execute(self, query, params=None, *, prepare=None, binary=None):
        return super().execute(query, params, prepare=True, binary=binary)


class _PreparedDebugWrapper(CursorDebugWrapper):
    """Logs a prepared statement as Django logs its own: with its parameters written in (the
    driver keeps no text of a statement it runs by name)."""

    def execute(self, sql, params=None):
        with self.debug_sql(self.db.ops.compose_sql(sql, params)):
            return CursorWrapper.execute(self, sql, params)  # not the wrapper's own logging


def prepared_cursor(alias: str):
    """A cursor whose statements PostgreSQL plans once per connection, then reuses: for a
    statement with the same text on every call (`nearby.py`'s, the stored page, home, hubs),
    written so that one plan fits all its calls. Django binds parameters on the client, so
    each of its statements is parsed and planned anew: for the related query that took as
    long as running it.

    The connection is set to keep prepared statements' generic plan (`plan_cache_mode`):
    left to choose, PostgreSQL re-plans on every call a statement whose generic plan is not
    estimated cheaper. It only concerns prepared statements, and the ones made here are the
    only ones on Django's connections (which bind on the client). The cursor is wrapped as
    Django wraps its own, so its queries are logged and counted like any other.

    `settings.DATABASE_PREPARED_STATEMENTS = False` (a transaction-pooling PgBouncer older
    than 1.21 cannot keep prepared statements) gives a plain cursor.
    """
    db = connections[alias]
    if not settings.DATABASE_PREPARED_STATEMENTS:
        return db.cursor()
    db.close_if_health_check_failed()
    db.ensure_connection()
    raw = db.connection
    if raw.prepare_threshold is None:  # Django's default: no statement is prepared
        raw.prepare_threshold = PREPARE_THRESHOLD
    # Once per connection (a setting, not a page's query: not logged); inside a transaction
    # on every call, since a rollback undoes a SET.
    if db.in_atomic_block or not getattr(raw, "meridian_generic_plans", False):
        raw.execute("SET plan_cache_mode = force_generic_plan")
        raw.meridian_generic_plans = not db.in_atomic_block
    cursor = _PreparingCursor(raw)
    return _PreparedDebugWrapper(cursor, db) if db.queries_logged else db.make_cursor(cursor)


@dataclass
class Teaser:
    """Another article as the page's rails show it."""

    pk: int
    title: str
    slug: str
    publish_at: object
    dek: str = ""
    format_name: str = ""

    @property
    def url(self) -> str:
        return slug_url("articles:detail")(self.slug)

    # Dates as the rails print them, without the `date` filter's format machinery (~25 µs a
    # call, and a page prints dozens): "2026-11-27T09:30:00+00:00", "27 Nov 2026",
    # "27 November 2026", in the site's time zone.
    @cached_property
    def local_time(self):
        return timezone.localtime(self.publish_at)

    @property
    def machine_date(self) -> str:
        return self.local_time.replace(microsecond=0).isoformat()

    @property
    def short_date(self) -> str:
        local = self.local_time
        return f"{local.day} {MONTHS[local.month - 1][:3]} {local.year}"

    @property
    def long_date(self) -> str:
        local = self.local_time
        return f"{local.day} {MONTHS[local.month - 1]} {local.year}"
