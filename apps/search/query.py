"""Ranked full-text search over published articles, with facets and snippets.

Ranking every match by its full vector is exact but slow for a word most of the archive uses:
each full vector is large (TOASTed) and must be read back. So ranking has a candidate stage:

1. The title tier: matches with any wanted word in the title (a small generated vector with its
   own GIN index), best `HEAD_CANDIDATES` by the head vector (title A; dek, takeaways, headings,
   vocabulary names B) times the recency boost. For a single word a title match always outranks
   the rest (ts_rank >= 0.6 against <= 0.4, and the boost is at most 1.2 times).
2. When the title tier is short, the head tier fills it up: head matches, same order.
3. Up to `ANY_CANDIDATES` other matches in no particular order: for a rare word that is every
   match, so its ranking is exact.
Then the candidates are re-ranked by the full vector times the boost.

`quality.exhaustive_ranking()` ranks every match by the same score, to measure the agreement.
"""

import re
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.postgres.search import SearchQueryField
from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    F,
    FloatField,
    Func,
    Q,
    QuerySet,
    Value,
    Window,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast

from apps.articles.models import Article

HEAD_CANDIDATES = 100
ANY_CANDIDATES = 100
MAX_RANKED = HEAD_CANDIDATES + ANY_CANDIDATES
PAGE_SIZE = 20
# Facets count at most this many matches; beyond it totals read "1,000+" (lower bounds).
FACET_CAP = 1_000
RECENCY_WEIGHT = 0.2
STATEMENT_TIMEOUT_MS = getattr(settings, "SEARCH_STATEMENT_TIMEOUT_MS", 2000)

# ts_headline marks matches with these private-use characters; the snippet is escaped and only
# then are they turned into <mark> tags, so editor text can never inject markup.
MARK_START = "\ue000"
MARK_END = "\ue001"
HEADLINE_OPTIONS = (
    f'StartSel="{MARK_START}", StopSel="{MARK_END}", MaxWords=30, MinWords=12, '
    'MaxFragments=2, FragmentDelimiter=" … "'
)


class Matches(Func):
    """`vector @@ query`."""

    arg_joiner = " @@ "
    template = "(%(expressions)s)"
    output_field = BooleanField()


class Rank(Func):
    function = "ts_rank"
    output_field = FloatField()


class RecencyBoost(Func):
    """1.2 for today's article, 1.1 at one year old, 1.05 at three: a gentle tie-breaker."""

    template = (
        f"(1 + {RECENCY_WEIGHT} / "
        "(1 + extract(epoch from (now() - %(expressions)s))::float8 / 31557600.0))"
    )
    output_field = FloatField()


def tsquery(text: str) -> Cast:
    return Cast(Value(text), output_field=SearchQueryField())


def score(vector: str, text: str):
    return Rank(F(vector), tsquery(text)) * RecencyBoost(F("publish_at"))


@dataclass(frozen=True)
class ParsedQuery:
    text: str  # what the reader typed (capped)
    tsquery: str  # English stems OR exact forms, minus every excluded word in both forms
    has_terms: bool  # at least one word that is not a stop word nor an exclusion
    any_terms: str = ""  # any one of the wanted words, either form: finds title matches


# English stems OR exact forms; an excluded word is excluded in both forms (see excluded_terms).
COMBINED_TSQUERY_SQL = """
CASE WHEN numnode(websearch_to_tsquery('english', %s) || websearch_to_tsquery('simple', %s)) = 0
     THEN websearch_to_tsquery('english', %s) || websearch_to_tsquery('simple', %s)
     ELSE (websearch_to_tsquery('english', %s) || websearch_to_tsquery('simple', %s))
          && !! (websearch_to_tsquery('english', %s) || websearch_to_tsquery('simple', %s))
END
"""


def combined_tsquery(q: str) -> tuple[str, list[str]]:
    """SQL and params of the tsquery for `q` (see COMBINED_TSQUERY_SQL)."""
    negated = " or ".join(excluded_terms(q))
    return COMBINED_TSQUERY_SQL, [negated, negated, q, q, q, q, negated, negated]


def prepare(q: str) -> ParsedQuery:
    """Parse `q` (websearch syntax) and bound the transaction's statements: one query.

    Must run inside `transaction.atomic()`: the statement timeout is set for the transaction.
    """
    sql, params = combined_tsquery(q)
    wanted = " or ".join(wanted_words(q))
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT set_config('statement_timeout', %s, true), ({sql})::text,
                   querytree(websearch_to_tsquery('english', %s)) NOT IN ('', 'T'),
                   (websearch_to_tsquery('english', %s) || websearch_to_tsquery('simple', %s))::text
            """,
            [f"{STATEMENT_TIMEOUT_MS}ms", *params, q, wanted, wanted],
        )
        _, text, has_terms, any_terms = cursor.fetchone()
    return ParsedQuery(text=q, tsquery=text, has_terms=bool(has_terms), any_terms=any_terms)


def wanted_words(q: str) -> list[str]:
    """The words of `q` without its syntax: no quotes, exclusions or `or`."""
    return [
        w
        for w in re.findall(r"(?:^|\s)(-?[^\s\"]+)", q.replace('"', " "))
        if not w.startswith("-") and w.lower() != "or"
    ]


def admin_search(queryset: QuerySet, term: str) -> QuerySet:
    """The admin's article search: the same vectors and syntax, any status, no extra query."""
    term = " ".join(term.replace("\x00", " ").split())[:200]
    if not term:
        return queryset
    sql, params = combined_tsquery(term)
    return queryset.filter(Matches(F("search_vector"), RawSQL(sql, params)))


def set_timeout() -> None:
    """Bound the statements of the current transaction (for browsing without a query)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('statement_timeout', %s, true)", [f"{STATEMENT_TIMEOUT_MS}ms"]
        )


def excluded_terms(q: str) -> list[str]:
    """The words and phrases `q` excludes with a leading dash, as websearch syntax reads it.

    The query ORs English stems with exact forms, so `-deterrence` alone would still let an
    article through on the exact-form side when it says "deterrent"; excluding these terms in
    both forms keeps an exclusion an exclusion.
    """
    terms: list[str] = []
    i, n = 0, len(q)
    while i < n:
        if q[i] == "-" and (i == 0 or q[i - 1].isspace()) and i + 1 < n and not q[i + 1].isspace():
            if q[i + 1] == '"':
                end = q.find('"', i + 2)
                end = n if end == -1 else end
                if phrase := q[i + 2 : end].strip():
                    terms.append(f'"{phrase}"')
                i = end + 1
                continue
            j = i + 1
            while j < n and not q[j].isspace() and q[j] != '"':
                j += 1
            terms.append(q[i + 1 : j])
            i = j
            continue
        i += 1
    return terms


@dataclass(frozen=True)
class Filters:
    region: object | None = None
    theme: object | None = None
    format: object | None = None
    author: object | None = None
    year: int | None = None

    def apply(self, qs: QuerySet) -> QuerySet:
        if self.region is not None:
            qs = qs.filter(regions=self.region)
        if self.theme is not None:
            qs = qs.filter(themes=self.theme)
        if self.format is not None:
            qs = qs.filter(format=self.format)
        if self.author is not None:
            qs = qs.filter(bylines__author=self.author)
        if self.year is not None:
            qs = qs.filter(publish_at__year=self.year)
        return qs


def base_queryset(filters: Filters) -> QuerySet:
    return filters.apply(Article.objects.published())


def candidates(parsed: ParsedQuery, filters: Filters) -> QuerySet:
    """The ids worth ranking by the full vector (see the module docstring). One or two queries."""
    base = base_queryset(filters)
    matches = Matches(F("search_vector"), tsquery(parsed.tsquery))
    by_head = score("search_head", parsed.tsquery).desc()
    # A head match is a full match, and the head is small: tested first, it spares reading the
    # large full vector of most title matches.
    head_or_full = Q(Matches(F("search_head"), tsquery(parsed.tsquery))) | Q(matches)
    best = list(
        base.filter(head_or_full, Matches(F("search_title"), tsquery(parsed.any_terms)))
        .order_by(by_head)
        .values_list("id", flat=True)[:HEAD_CANDIDATES]
    )
    if len(best) < HEAD_CANDIDATES:
        best += (
            base.filter(Matches(F("search_head"), tsquery(parsed.tsquery)))
            .exclude(id__in=best)
            .order_by(by_head)
            .values_list("id", flat=True)[: HEAD_CANDIDATES - len(best)]
        )
    anywhere = (
        base.filter(matches)
        .order_by()  # any matches: an ORDER BY would tempt the planner away from the GIN index
        .values("id")[:ANY_CANDIDATES]
    )
    return Article.objects.filter(id__in=best).values("id").union(anywhere)


def ranked(parsed: ParsedQuery, filters: Filters) -> QuerySet:
    """Published matches, best first, each with `score` and `ranked_total` (≤ MAX_RANKED)."""
    return (
        base_queryset(filters)
        .filter(id__in=candidates(parsed, filters))
        .annotate(
            score=score("search_vector", parsed.tsquery),
            ranked_total=Window(Count("id")),
        )
        .order_by("-score", "-publish_at", "-id")
    )


def browse(filters: Filters) -> QuerySet:
    """Filter-only browsing: newest first."""
    return (
        base_queryset(filters)
        .annotate(ranked_total=Window(Count("id")))
        .order_by("-publish_at", "-id")
    )


def for_cards(qs: QuerySet) -> QuerySet:
    return (
        qs.select_related("format")
        .prefetch_related("regions", "themes")
        .only("id", "title", "slug", "dek", "publish_at", "format__name", "format__slug", "status")
    )


# --- Facets -------------------------------------------------------------------------------------


@dataclass
class FacetValue:
    key: str
    label: str
    count: int


@dataclass
class Facets:
    total: int = 0
    capped: bool = False
    groups: dict[str, list[FacetValue]] = field(default_factory=dict)

    @property
    def total_display(self) -> str:
        return f"{self.total:,}+" if self.capped else f"{self.total:,}"


FACET_NAMES = ("region", "theme", "format", "author", "year")


def facets(parsed: ParsedQuery | None, filters: Filters) -> Facets:
    """Counts per region, theme, format, author and year of the (first FACET_CAP) matches.

    One query. Past the cap, counts are lower bounds of a sample and are shown with a "+".
    """
    matched = base_queryset(filters)
    if parsed is not None:
        matched = matched.filter(Matches(F("search_vector"), tsquery(parsed.tsquery)))
    matched = matched.order_by().values("id", "format_id", "publish_at")[: FACET_CAP + 1]
    sql, params = matched.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH matched AS MATERIALIZED ({sql}),
            m AS MATERIALIZED (SELECT * FROM matched LIMIT {FACET_CAP})
            SELECT 'total', '', '', 0, count(*) FROM matched
            UNION ALL
            SELECT 'region', r.slug, r.name, r."order", count(*)
              FROM m JOIN articles_article_regions ar ON ar.article_id = m.id
              JOIN regions_region r ON r.id = ar.region_id GROUP BY r.id
            UNION ALL
            SELECT 'theme', t.slug, t.name, t."order", count(*)
              FROM m JOIN articles_article_themes at ON at.article_id = m.id
              JOIN regions_theme t ON t.id = at.theme_id GROUP BY t.id
            UNION ALL
            SELECT 'format', f.slug, f.name, f."order", count(*)
              FROM m JOIN articles_format f ON f.id = m.format_id GROUP BY f.id
            UNION ALL
            SELECT 'author', au.slug, au.name, 0, count(DISTINCT m.id)
              FROM m JOIN articles_byline b ON b.article_id = m.id
              JOIN articles_author au ON au.id = b.author_id GROUP BY au.id
            UNION ALL
            SELECT 'year', y::text, y::text, 0, count(*) FROM (
                SELECT extract(year FROM m.publish_at AT TIME ZONE %s)::int AS y FROM m
            ) years GROUP BY y
            """,
            [*params, settings.TIME_ZONE],
        )
        rows = cursor.fetchall()
    result = Facets(groups={name: [] for name in FACET_NAMES})
    orders: dict[tuple[str, str], int] = {}
    for name, key, label, order, count in rows:
        if name == "total":
            result.total = min(count, FACET_CAP)
            result.capped = count > FACET_CAP
            continue
        result.groups[name].append(FacetValue(key=key, label=label, count=count))
        orders[(name, key)] = order
    for name, values in result.groups.items():
        if name == "year":
            values.sort(key=lambda v: v.key, reverse=True)
        else:
            values.sort(key=lambda v: (-v.count, orders[(name, v.key)], v.label))
    return result


# --- Snippets -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Snippet:
    anchor: str
    heading: str
    raw: str  # ts_headline output: editor text with MARK_START/MARK_END around matches


# Markdown source as plain text, in SQL so that fragments are cut from the text a reader sees:
# no sentinel characters, no tags (even half of one), no link targets.
PLAIN_BODY_SQL = f"""
regexp_replace(regexp_replace(translate(best.body, '{MARK_START}{MARK_END}', ''),
    '<[^<>]*>', ' ', 'g'), '\\[([^\\]]*)\\]\\([^)]*\\)', '\\1', 'g')
"""


def snippets(parsed: ParsedQuery, article_ids: list[int]) -> dict[int, Snippet]:
    """The best-matching section of each article, with a headline around the matches: one query."""
    if not article_ids:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT best.article_id, best.anchor, best.heading,
                   ts_headline('english', %(plain)s, %(q)s::tsquery, %(options)s)
            FROM (
                SELECT DISTINCT ON (s.article_id) s.article_id, s.anchor, s.heading, s.body
                FROM articles_section s
                WHERE s.article_id = ANY(%(ids)s) AND s.search_vector @@ %(q)s::tsquery
                ORDER BY s.article_id, ts_rank(s.search_vector, %(q)s::tsquery) DESC,
                         s.position, s.id
            ) best
            """.replace("%(plain)s", PLAIN_BODY_SQL),
            {
                "ids": article_ids,
                "q": parsed.tsquery,
                "options": HEADLINE_OPTIONS,
            },
        )
        return {
            article_id: Snippet(anchor=anchor, heading=heading, raw=raw)
            for article_id, anchor, heading, raw in cursor.fetchall()
        }
