"""What the public pages read, planned query by query.

Every function starts from `Article.objects.published()` and states what it costs, so that a
page's query count is the sum of the functions it calls and does not grow with content.
"""

from dataclasses import dataclass, field

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import (
    CharField,
    Count,
    IntegerField,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.http import Http404
from taggit.models import Tag

from apps.regions.models import Region, Theme

from .links import Term, link_terms
from .models import Article, Byline, Section, TaggedArticle

ArticleRegion = Article.regions.through
ArticleTheme = Article.themes.through
SectionRegion = Section.regions.through
SectionTheme = Section.themes.through

RELATED_LIMIT = 4
SEARCH_COLUMNS = ("search_head", "search_vector", "search_title")
# Candidates per shared term: enough that the best-scored pieces are found, few enough that
# scoring stays a few hundred index probes whatever the size of the archive.
RELATED_PER_TERM = 20
RAIL_LIMIT = 4


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
    for pk, name, slug, order, parent_id, description, kind in regions.union(themes, all=True):
        if kind == "r":
            vocabulary.regions[pk] = Region(
                pk=pk,
                name=name,
                slug=slug,
                order=order,
                parent_id=parent_id,
                description=description,
            )
        else:
            vocabulary.themes[pk] = Theme(
                pk=pk, name=name, slug=slug, order=order, description=description
            )
    return vocabulary


def _ids(through, fk: str, owner: str = "article_id") -> ArraySubquery:
    return ArraySubquery(through.objects.filter(**{owner: OuterRef("pk")}).values(fk))


BYLINES = Prefetch("bylines", queryset=Byline.objects.select_related("author"))
# With `select_related("hero_image")`: the renditions `{% picture %}` reads (apps/media).
HERO_RENDITIONS = "hero_image__renditions"


def published_article(slug: str) -> Article:
    """The article at `slug` with what its page shows, or 404. Four queries.

    Region and theme ids come as arrays (resolved against the vocabulary), so neither more
    regions nor more sections add queries.
    """
    return page_article(Article.objects.published(), slug=slug)


def page_article(base: QuerySet, **lookup) -> Article:
    """`published_article` over any base queryset: the staff preview passes all articles."""
    # Search vectors are kilobytes of text per row that the page never shows: leave them.
    sections = Section.objects.defer("search_vector").annotate(
        region_ids=_ids(SectionRegion, "region_id", "section_id"),
        theme_ids=_ids(SectionTheme, "theme_id", "section_id"),
    )
    queryset = (
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
    try:
        return queryset.get(**lookup)
    except Article.DoesNotExist:
        raise Http404("No such article") from None


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


def related_articles(
    article: Article, limit: int = RELATED_LIMIT, per_term: int = RELATED_PER_TERM
) -> list[Article]:
    """Published articles sharing the most regions, themes and tags; newest first on ties.

    One query, bounded whatever the size of the archive: the candidates are the `per_term`
    newest published articles carrying each of the article's terms (a LATERAL ... LIMIT per
    term, so a few hundred rows at most), and only those are scored, one point per shared
    term. Scoring every article that shares any term grew with the archive (0.7 s at 20k).
    """
    region_ids = [r.pk for r in article.region_list]
    theme_ids = [t.pk for t in article.theme_list]
    tag_ids = [t.pk for t in article.tags.all()]
    if not (region_ids or theme_ids or tag_ids):
        return []

    def shared(through, fk: str, ids: list[int], owner: str = "article_id") -> Coalesce:
        counted = (
            through.objects.filter(**{owner: OuterRef("pk"), f"{fk}__in": ids})
            .order_by()
            .values(owner)
            .annotate(n=Count("*"))
            .values("n")
        )
        return Coalesce(Subquery(counted, output_field=IntegerField()), 0)

    newest = (
        Article.objects.published()
        .exclude(pk=article.pk)
        .order_by("-publish_at", "-pk")
        .values("pk")
    )
    parts = [
        per_term_union(newest, lookup, ids, per_term)
        for lookup, ids in (("regions", region_ids), ("themes", theme_ids), ("tags", tag_ids))
        if ids
    ]
    candidates = RawSQL(
        " UNION ALL ".join(sql for sql, _ in parts), [p for _, ps in parts for p in ps]
    )
    return list(
        Article.objects.published()
        .filter(pk__in=candidates)
        .exclude(pk=article.pk)
        .select_related("format")
        .defer(*SEARCH_COLUMNS)
        .annotate(
            score=shared(ArticleRegion, "region_id", region_ids)
            + shared(ArticleTheme, "theme_id", theme_ids)
            + shared(TaggedArticle, "tag_id", tag_ids, owner="content_object_id")
        )
        .order_by("-score", "-publish_at", "-pk")[:limit]
    )


def referenced_by(article: Article, limit: int = 10) -> list[Article]:
    """Published articles whose text links to `article`, newest first. One query."""
    return list(
        Article.objects.published()
        .filter(links_out__target=article)
        .select_related("format")
        .defer(*SEARCH_COLUMNS)
        .order_by("-publish_at", "-pk")[:limit]
    )


def rails(
    article: Article, region: Region | None, theme: Theme | None, limit: int = RAIL_LIMIT
) -> dict[str, list[dict]]:
    """ "More on <region>" and "More on <theme>": the latest other articles, one query (UNION)."""
    parts = []
    for key, lookup, term in (("region", "regions", region), ("theme", "themes", theme)):
        if term is None:
            continue
        parts.append(
            Article.objects.published()
            .filter(**{lookup: term})
            .exclude(pk=article.pk)
            .annotate(rail=Value(key, output_field=CharField()))
            .order_by("-publish_at", "-pk")
            .values("rail", "title", "slug", "publish_at")[:limit]
        )
    result: dict[str, list[dict]] = {"region": [], "theme": []}
    if not parts:
        return result
    combined = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    for row in combined:
        result[row["rail"]].append(row)
    for rows in result.values():
        rows.sort(key=lambda r: r["publish_at"], reverse=True)
    return result


def latest_by_term(
    vocabulary: Vocabulary, per_term: int = 3
) -> tuple[dict[int, list[Article]], dict[int, list[Article]]]:
    """The newest `per_term` published articles of every region and of every theme, as
    ({region_id: [article]}, {theme_id: [article]}) with title, slug and publish time. One query.

    One `ORDER BY publish_at DESC LIMIT per_term` per term (`per_term_union`). Numbering every
    term's articles with a window function grew with the archive (1 s at 20k).
    """
    newest = Article.objects.published().order_by("-publish_at", "-pk")
    parts, params = [], []
    for kind, lookup, terms in (
        ("r", "regions", list(vocabulary.regions)),
        ("t", "themes", list(vocabulary.themes)),
    ):
        if not terms:
            continue
        rows = newest.annotate(kind=Value(kind), term=RawSQL("%s", [_TERM])).values_list(
            "kind", "term", "pk", "title", "slug", "publish_at"
        )
        sql, term_params = per_term_union(rows, lookup, terms, per_term)
        parts.append(sql)
        params += term_params
    blocks: dict[str, dict[int, list[Article]]] = {"r": {}, "t": {}}
    if not parts:
        return blocks["r"], blocks["t"]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        for kind, term, pk, title, slug, publish_at in cursor.fetchall():
            article = Article(pk=pk, title=title, slug=slug, publish_at=publish_at)
            blocks[kind].setdefault(term, []).append(article)
    for terms in blocks.values():
        for articles in terms.values():
            articles.sort(key=lambda a: (a.publish_at, a.pk), reverse=True)
    return blocks["r"], blocks["t"]


def listing(queryset: QuerySet | None = None) -> QuerySet:
    """Published articles as list cards want them: format and bylines (one prefetch query),
    region and theme ids as arrays for `Vocabulary.attach()`."""
    base = queryset if queryset is not None else Article.objects.all()
    return (
        base.published()
        # The search vectors are most of a row's width and no card shows them.
        .defer(*SEARCH_COLUMNS)
        .select_related("format", "hero_image")
        .annotate(
            region_ids=_ids(ArticleRegion, "region_id"), theme_ids=_ids(ArticleTheme, "theme_id")
        )
        .prefetch_related(BYLINES, HERO_RENDITIONS)
        .order_by("-publish_at", "-pk")
    )


def public_tags() -> QuerySet[Tag]:
    """Tags carried by at least one published article: the only tags readers may learn of."""
    return Tag.objects.filter(
        pk__in=TaggedArticle.objects.filter(content_object__in=Article.objects.published()).values(
            "tag_id"
        )
    )
