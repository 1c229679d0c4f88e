"""What the public pages read, planned query by query.

Every function starts from `Article.objects.published()` and states what it costs, so that a
page's query count is the sum of the functions it calls and does not grow with content.
"""

from dataclasses import dataclass, field

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection, connections, router
from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    QuerySet,
    Value,
)
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.utils import timezone
from taggit.models import Tag

from apps.regions.models import Region, Theme
from config.caching import per_generation

from .citation import MONTHS
from .links import Term, link_terms
from .models import Article, ArticleLink, Byline, Section, TaggedArticle
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


_TERM = -7_301_991  # a placeholder no primary key takes


def per_term_union(queryset: QuerySet, lookup: str, terms, limit: int) -> tuple[str, list]:
    """SQL and params for the first `limit` rows of `queryset` filtered on `lookup` = each
    term, joined by UNION ALL.

    Each copy names its term as a literal, so the planner chooses per term: walk the newest
    articles (a busy term) or read the term's few rows (a rare one); a LATERAL join over an
    array would get one generic plan for all. The queryset is compiled once and its SQL
    repeated: compiling one per term cost ~3 ms each.
    """
    # The placeholder may also be selected (`latest_by_term` reads it back as the term).
    placed = queryset.filter(**{lookup: RawSQL("%s", [_TERM])})[:limit]
    sql, params = placed.query.sql_with_params()
    every = []
    for term in terms:
        every += [term if p == _TERM else p for p in params]
    return " UNION ALL ".join([f"({sql})"] * len(terms)), every


LATEST_WINDOW = 150


def latest_by_term(
    vocabulary: Vocabulary, per_term: int = 3, window: int = LATEST_WINDOW
) -> tuple[dict[int, list["Teaser"]], dict[int, list["Teaser"]]]:
    """The newest `per_term` published articles of every region and of every theme, as
    ({region_id: [teaser]}, {theme_id: [teaser]}), newest first.

    One query reads the newest `window` published articles with their region and theme ids
    (a walk of the publish-order index): a term with `per_term` articles among them has its
    newest there. Only terms with fewer get their own `ORDER BY publish_at DESC LIMIT
    per_term` part (`per_term_union`), in a second query that a busy archive rarely needs.
    One part for every term cost more to plan than to run (6.5 ms for 25 terms); numbering
    every term's articles with a window function grew with the archive (1 s at 20k).
    """
    rows = list(
        Article.objects.published()
        .order_by("-publish_at", "-pk")
        .annotate(
            region_ids=_ids(ArticleRegion, "region_id"), theme_ids=_ids(ArticleTheme, "theme_id")
        )
        .values_list("pk", "title", "slug", "publish_at", "region_ids", "theme_ids")[:window]
    )
    blocks: dict[str, dict[int, list[Teaser]]] = {"r": {}, "t": {}}
    for pk, title, slug, publish_at, region_ids, theme_ids in rows:
        teaser = Teaser(pk, title, slug, publish_at)
        for kind, ids in (("r", region_ids), ("t", theme_ids)):
            for term in ids:
                found = blocks[kind].setdefault(term, [])
                if len(found) < per_term:
                    found.append(teaser)
    if len(rows) < window:  # the window held every published article
        return blocks["r"], blocks["t"]
    newest = Article.objects.published().order_by("-publish_at", "-pk")
    parts, params = [], []
    for kind, lookup, terms in (
        ("r", "regions", vocabulary.regions),
        ("t", "themes", vocabulary.themes),
    ):
        short = [term for term in terms if len(blocks[kind].get(term, ())) < per_term]
        if not short:
            continue
        part = newest.annotate(kind=Value(kind), term=RawSQL("%s", [_TERM])).values_list(
            "kind", "term", "pk", "title", "slug", "publish_at"
        )
        sql, term_params = per_term_union(part, lookup, short, per_term)
        parts.append(sql)
        params += term_params
        for term in short:
            blocks[kind].pop(term, None)
    if parts:
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), params)
            for kind, term, pk, title, slug, publish_at in cursor.fetchall():
                blocks[kind].setdefault(term, []).append(Teaser(pk, title, slug, publish_at))
        for terms in blocks.values():
            for teasers in terms.values():
                teasers.sort(key=lambda t: (t.publish_at, t.pk), reverse=True)
    return blocks["r"], blocks["t"]


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
    """Published articles, newest first, as ids and render tokens: `rendering.with_cards`
    reads the stored cards of a page of them (a second query, for that page's rows only: a
    deep page skips hundreds of rows, and joining their cards cost more than the walk)."""
    base = queryset if queryset is not None else Article.objects.all()
    return base.published().order_by("-publish_at", "-pk").only("pk", "render_token")


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


def published_condition(alias: str) -> tuple[str, list]:
    """`Article.objects.published()`'s condition as SQL over table alias `alias`: the one gate,
    for the hand-written query below."""
    query = Article.objects.published().query
    db = router.db_for_read(Article)
    sql, params = query.where.as_sql(query.get_compiler(using=db), connections[db])
    return sql.replace(f'"{Article._meta.db_table}".', f"{alias}."), list(params)


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
    @property
    def machine_date(self) -> str:
        return timezone.localtime(self.publish_at).replace(microsecond=0).isoformat()

    @property
    def short_date(self) -> str:
        local = timezone.localtime(self.publish_at)
        return f"{local.day} {MONTHS[local.month - 1][:3]} {local.year}"

    @property
    def long_date(self) -> str:
        local = timezone.localtime(self.publish_at)
        return f"{local.day} {MONTHS[local.month - 1]} {local.year}"


def around(article_id: int, terms: dict, per_term: int = RELATED_PER_TERM) -> dict:
    """What an article page shows of *other* articles, in one query, all through the
    published gate. `terms` is the stored page's data (`rendering.Page.data`): the article's
    region, theme and tag ids and its primary region and theme.

    - "related": published articles sharing the most regions, themes and tags, newest first on
      ties. Bounded whatever the size of the archive: the candidates are the `per_term` newest
      published articles carrying each of the article's terms (each term a literal, so the
      planner picks per term: walk the newest articles for a busy term, read a rare term's few
      rows), and only those are scored, one point per shared term. Scoring every article that
      shares any term grew with the archive (0.7 s at 20k).
    - "region", "theme": "More on" the primary region and theme, the latest others.
    - "referenced_by": published articles whose text links to this one.

    Hand-written SQL because it runs on every uncached article page, and the ORM took longer
    to compile these statements than PostgreSQL took to run them.
    """
    regions, themes, tags = terms["regions"], terms["themes"], terms["tags"]
    rail_region = (terms.get("rail_region") or {}).get("id")
    rail_theme = (terms.get("rail_theme") or {}).get("id")
    pub, pub_params = published_condition("a")
    columns = "a.id, a.title, a.slug, a.publish_at, a.dek, f.name"
    newest = "ORDER BY a.publish_at DESC, a.id DESC"
    parts: list[str] = []
    params: list = []

    def candidates(table: str, owner: str, fk: str, ids: list[int]) -> None:
        for term in ids:
            if table == TaggedArticle._meta.db_table:
                # Tag rows carry their article's publish time: the tag's newest are an index
                # range (taggedarticle_tag_newest_idx), whatever the tag's share of the archive.
                parts.append(
                    f"(SELECT a.id FROM {table} t JOIN articles_article a ON a.id = t.{owner}"
                    f" WHERE t.{fk} = %s AND t.publish_at <= %s AND {pub} AND a.id <> %s"
                    f" ORDER BY t.publish_at DESC, t.{owner} DESC LIMIT %s)"
                )
                params.extend([term, timezone.now(), *pub_params, article_id, per_term])
                continue
            parts.append(
                f"(SELECT a.id FROM articles_article a JOIN {table} t ON t.{owner} = a.id"
                f" WHERE t.{fk} = %s AND {pub} AND a.id <> %s {newest} LIMIT %s)"
            )
            params.extend([term, *pub_params, article_id, per_term])

    sources = [
        (ArticleRegion._meta.db_table, "article_id", "region_id", regions),
        (ArticleTheme._meta.db_table, "article_id", "theme_id", themes),
        (TaggedArticle._meta.db_table, "content_object_id", "tag_id", tags),
    ]
    # Tags: the rarest few only (the stored data lists them rarest first). A common tag's
    # newest pieces are just the newest pieces, and each part costs planning time.
    limits = (None, None, RELATED_TAG_TERMS)
    for (table, owner, fk, ids), limit in zip(sources, limits, strict=True):
        candidates(table, owner, fk, ids[:limit])
    union: list[str] = []
    union_params: list = []
    if parts:
        score = " + ".join(
            f"(SELECT count(*) FROM {table} s WHERE s.{owner} = a.id AND s.{fk} = ANY(%s))"
            for table, owner, fk, ids in sources
            if ids
        )
        union.append(
            f"(SELECT 'related', {columns}, {score} AS score"
            f" FROM articles_article a JOIN articles_format f ON f.id = a.format_id"
            f" WHERE a.id IN ({' UNION ALL '.join(parts)}) AND {pub}"
            f" ORDER BY score DESC, a.publish_at DESC, a.id DESC LIMIT %s)"
        )
        union_params += [ids for _, _, _, ids in sources if ids]
        union_params += [*params, *pub_params, RELATED_LIMIT]
    for kind, (table, owner, fk, _), term in (
        ("region", sources[0], rail_region),
        ("theme", sources[1], rail_theme),
    ):
        if term is not None:
            union.append(
                f"(SELECT '{kind}', {columns}, 0"
                f" FROM articles_article a JOIN articles_format f ON f.id = a.format_id"
                f" JOIN {table} t ON t.{owner} = a.id"
                f" WHERE t.{fk} = %s AND {pub} AND a.id <> %s {newest} LIMIT %s)"
            )
            union_params += [term, *pub_params, article_id, RAIL_LIMIT]
    union.append(
        f"(SELECT 'referenced_by', {columns}, 0"
        f" FROM articles_article a JOIN articles_format f ON f.id = a.format_id"
        f" JOIN {ArticleLink._meta.db_table} l ON l.source_id = a.id"
        f" WHERE l.target_id = %s AND {pub} {newest} LIMIT %s)"
    )
    union_params += [article_id, *pub_params, REFERENCED_LIMIT]
    result: dict[str, list[Teaser]] = {
        "related": [],
        "region": [],
        "theme": [],
        "referenced_by": [],
    }
    with connections[router.db_for_read(Article)].cursor() as cursor:
        cursor.execute(" UNION ALL ".join(union), union_params)
        rows = cursor.fetchall()
    # UNION ALL keeps no order of its own: each list is sorted as its part was.
    rows.sort(key=lambda row: (row[-1], row[4], row[1]), reverse=True)
    for kind, pk, title, slug, publish_at, dek, format_name, _ in rows:
        result[kind].append(Teaser(pk, title, slug, publish_at, dek, format_name))
    return {
        "related": result["related"],
        "rails": {"region": result["region"], "theme": result["theme"]},
        "referenced_by": result["referenced_by"],
    }
