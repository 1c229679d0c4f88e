"""Ranked full-text search over published articles, with facets and snippets.

Ranking every match by its full vector is exact but slow for a word most of the archive uses:
each full vector is large (TOASTed) and must be read back. So ranking has a candidate stage:

1. The title tier: matches with any wanted word in the title (a small generated vector with its
   own GIN index), best `HEAD_CANDIDATES` by the head vector (title A; dek, takeaways, headings,
   vocabulary names B) times the recency boost. For a single word a title match always outranks
   the rest (ts_rank >= 0.6 against <= 0.4, and the boost is at most 1.2 times).
   A common word is in thousands of titles and each head is read back from TOAST, so only the
   `TITLE_POOL_FACTOR` x `HEAD_CANDIDATES` best by the title vector times the boost (cheap:
   stored in the row) are ranked by their heads; among title matches the title scores barely
   differ, so that is mostly the newest, which the boost favours anyway.
2. When the title tier is short, the head tier fills it up: head matches, same order.
3. Up to `ANY_CANDIDATES` other matches in no particular order: for a rare word that is every
   match, so its ranking is exact.
Then the candidates are re-ranked by the full vector times the boost. On the plan made for
common words, a phrase is checked in the head and `anywhere` tiers only among pools of articles
with all its words (`PHRASE_POOLS_SQL`): checking a phrase reads the vector back.

`quality.exhaustive_ranking()` ranks every match by the same score, to measure the agreement.

A search is one SQL statement (`SEARCH_SQL`): the candidate tiers, the re-ranking, the page, for
each result on it its format, regions, themes and best-matching section with a headline, and
the facets; the reader's page runs it with the words parsed in it too (`search_text()`). The
facets count the ranked candidates: when `anywhere` fell short of its limit they are every
match and the counts are exact; otherwise they are lower bounds, shown with a "+". The
statement is written once as text because building it with the ORM cost more than running
it, and it is prepared on the connection (`fetch_prepared()`): parsing and planning it cost more
than running it for all but the commonest words. Its gate (`gate()`) is still
`Article.objects.published()` with the reader's filters, compiled to a WHERE clause, so drafts
and scheduled pieces stay out by the same road as everywhere else.
"""

import re
import time
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

from django.conf import settings
from django.contrib.postgres.search import SearchQueryField
from django.db import connection
from django.db.models import BooleanField, Exists, F, FloatField, Func, OuterRef, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast
from psycopg.sql import Literal

from apps.articles.models import Article, Byline
from apps.articles.reader import prepared_cursor, published_condition

HEAD_CANDIDATES = 60
TITLE_POOL_FACTOR = 3  # title matches ranked by their heads: 3 x HEAD_CANDIDATES
ANY_CANDIDATES = 100
MAX_RANKED = HEAD_CANDIDATES + ANY_CANDIDATES
PAGE_SIZE = 20
# Browsing without words, the facets count a sample of FACET_CAP published articles; beyond it
# totals read "300+" (lower bounds). A search's facets count its ranked candidates instead.
FACET_CAP = 300
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


# date_part is float8 arithmetic; extract() computes a numeric and costs twice as much, in a
# score evaluated for every title match of a common word.
BOOST_SQL = f"(1 + {RECENCY_WEIGHT} / (1 + date_part('epoch', now() - {{}}) / 31557600.0))"


class RecencyBoost(Func):
    """1.2 for today's article, 1.1 at one year old, 1.05 at three: a gentle tie-breaker."""

    template = BOOST_SQL.format("%(expressions)s")
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
    common: bool = False  # a word in more than COMMON_SHARE of the articles (`prepare()`)
    # With a phrase in `tsquery` (a quoted phrase, a hyphenated word): the same query less its
    # exclusions, with "and" for each phrase, which every match of `tsquery` matches too.
    loose: str = ""


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


def bounded(sql: str) -> str:
    """`sql` after a statement timeout set in the same message, for that message only.

    `set_config(…, true)` lasts until the end of the transaction, and a message of several
    statements sent outside a transaction is one implicit transaction; PostgreSQL times each
    statement of such a message on its own, with the setting in force when it starts. So a
    search needs no BEGIN and COMMIT of its own (two round trips) to bound its statements, and
    the timeout never outlives them. Run it with `execute_bounded()`.
    """
    return f"SELECT set_config('statement_timeout', '{int(STATEMENT_TIMEOUT_MS)}ms', true);\n{sql}"


def execute_bounded(cursor, sql: str, params) -> None:
    """Execute `bounded(sql)`; the cursor is then on the rows of `sql`."""
    cursor.execute(bounded(sql), params)
    cursor.nextset()


def fetch_prepared(sql: str, params: dict, custom_plan: bool) -> list[tuple]:
    """The rows of `sql`, under the statement timeout, as a statement prepared on the
    connection: one round trip.

    Parsing and planning the search statement cost PostgreSQL more than running it for a rare
    word (about 3 of its 5 ms at 100k). A prepared statement is parsed once per connection,
    and its generic plan, made once without the parameters' values, serves every call that
    runs it. For a word in most of the archive (`ParsedQuery.common`) a plan made for the word
    is worth making: it reads the first matches in table order where the generic plan reads the
    whole index (~35 ms for "policy"). Both settings come first in the same pipeline, so they
    end with its implicit transaction as `bounded()`'s do, and the other prepared statements of
    the connection (`prepared_cursor`) keep their own plan mode.
    """
    if not settings.DATABASE_PREPARED_STATEMENTS:
        with connection.cursor() as cursor:
            execute_bounded(cursor, sql, params)
            return cursor.fetchall()
    mode = "force_custom_plan" if custom_plan else "force_generic_plan"
    with prepared_cursor(connection.alias) as cursor, connection.wrap_database_errors:
        raw = connection.connection
        with raw.pipeline():
            raw.execute(
                f"SELECT set_config('statement_timeout', '{int(STATEMENT_TIMEOUT_MS)}ms', true),"
                f" set_config('plan_cache_mode', '{mode}', true)"
            )
            cursor.execute(sql, params)
        return cursor.fetchall()


def set_timeout() -> None:
    """Bound the statements of the current transaction (for ORM queries: suggestions)."""
    with connection.cursor() as cursor:
        cursor.execute(bounded("SELECT 1"))


# A search with a word in more than this share of the articles is planned for its words.
COMMON_SHARE = 0.2
COMMON_SECONDS = 600
# The words (lexemes) in more than COMMON_SHARE of the articles' full vectors by the planner's
# statistics, as this process last read them with `prepare()`'s query, and when (monotonic).
_common: dict = {"lexemes": frozenset(), "read_at": None}
COMMON_LEXEMES_SQL = """
(SELECT coalesce(array_agg(m.e), '{}') FROM pg_stats s,
        unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs) AS m(e, f)
  WHERE s.schemaname = current_schema() AND s.tablename = 'articles_article'
    AND s.attname = 'search_vector' AND m.e IS NOT NULL AND m.f > %s)
"""
_LEXEME = re.compile(r"'((?:[^']|'')*)'")


def prepare(q: str) -> ParsedQuery:
    """Parse `q` (websearch syntax): one query, under the statement timeout.

    Every `COMMON_SECONDS` the query also reads which words are common (`ParsedQuery.common`).
    """
    sql, params = combined_tsquery(q)
    wanted = " or ".join(wanted_words(q))
    positive = without_exclusions(q)
    stale = _common_stale()
    with connection.cursor() as cursor:
        execute_bounded(
            cursor,
            f"""
            SELECT ({sql})::text,
                   querytree(websearch_to_tsquery('english', %s)) NOT IN ('', 'T'),
                   (websearch_to_tsquery('english', %s)
                    || websearch_to_tsquery('simple', %s))::text,
                   (websearch_to_tsquery('english', %s)
                    || websearch_to_tsquery('simple', %s))::text,
                   {COMMON_LEXEMES_SQL if stale else "NULL"}
            """,
            [*params, q, wanted, wanted, positive, positive, *([COMMON_SHARE] if stale else [])],
        )
        text, has_terms, any_terms, positive_terms, common = cursor.fetchone()
    if stale:
        _remember_common(common)
    words = {w.replace("''", "'") for w in _LEXEME.findall(text)}
    return ParsedQuery(
        text=q,
        tsquery=text,
        has_terms=bool(has_terms),
        any_terms=any_terms,
        common=not words.isdisjoint(_common["lexemes"]),
        loose=_without_phrases(positive_terms) if has_phrase(text) else "",
    )


_LEXEME_OR_PHRASE = re.compile(r"('(?:[^']|'')*')|<(?:-|\d+)>")


def has_phrase(tsquery_text: str) -> bool:
    """Whether the tsquery asks for words next to each other (`<->`, `<N>`)."""
    return "<" in _LEXEME.sub("", tsquery_text)


def _without_phrases(tsquery_text: str) -> str:
    """The tsquery with "and" (`&`) for each phrase operator: it matches whatever the
    tsquery matches, and a GIN index answers it without reading the vectors back."""
    return _LEXEME_OR_PHRASE.sub(lambda m: m[1] or "&", tsquery_text)


def _common_stale() -> bool:
    read_at = _common["read_at"]
    return read_at is None or time.monotonic() - read_at > COMMON_SECONDS


def _remember_common(lexemes) -> None:
    _common.update(lexemes=frozenset(lexemes), read_at=time.monotonic())


def common_lexemes() -> frozenset:
    """The common lexemes (`COMMON_LEXEMES_SQL`), read again when `COMMON_SECONDS` old
    (`prepare()` reads them within its own query)."""
    if _common_stale():
        with connection.cursor() as cursor:
            execute_bounded(cursor, f"SELECT {COMMON_LEXEMES_SQL}", [COMMON_SHARE])
            _remember_common(cursor.fetchone()[0])
    return _common["lexemes"]


def likely_common(q: str) -> bool:
    """Whether a word of `q`, as typed, is a common lexeme (see `search_text`)."""
    lexemes = common_lexemes()
    return any(w in lexemes for w in re.findall(r"\w+", " ".join(wanted_words(q)).lower()))


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


def excluded_terms(q: str) -> list[str]:
    """The words and phrases `q` excludes with a leading dash, as websearch syntax reads it.

    The query ORs English stems with exact forms, so `-deterrence` alone would still let an
    article through on the exact-form side when it says "deterrent"; excluding these terms in
    both forms keeps an exclusion an exclusion.
    """
    return [term for _, _, term in _exclusions(q)]


def without_exclusions(q: str) -> str:
    """`q` less the words and phrases it excludes (`excluded_terms`)."""
    kept, start = [], 0
    for begin, end, _ in _exclusions(q):
        kept.append(q[start:begin])
        start = end
    kept.append(q[start:])
    return " ".join("".join(kept).split())


def _exclusions(q: str):
    """(start, end, term) of each exclusion in `q`: a dash at the start of a word, then the word
    or a quoted phrase."""
    i, n = 0, len(q)
    while i < n:
        if q[i] == "-" and (i == 0 or q[i - 1].isspace()) and i + 1 < n and not q[i + 1].isspace():
            if q[i + 1] == '"':
                end = q.find('"', i + 2)
                end = n if end == -1 else end
                if phrase := q[i + 2 : end].strip():
                    yield i, end + 1, f'"{phrase}"'
                i = end + 1
                continue
            j = i + 1
            while j < n and not q[j].isspace() and q[j] != '"':
                j += 1
            yield i, j, q[i + 1 : j]
            i = j
            continue
        i += 1


@dataclass(frozen=True)
class Filters:
    region: object | None = None
    theme: object | None = None
    format: object | None = None
    author: object | None = None
    year: int | None = None
    # gate(), compiled once: a search's statements share it (and its "now").
    _gate: list = field(default_factory=list, init=False, compare=False, repr=False)

    def apply(self, qs: QuerySet) -> QuerySet:
        """Narrow `qs` without joins (EXISTS instead), so its WHERE clause stands on its own."""
        if self.region is not None:
            regions = Article.regions.through.objects
            qs = qs.filter(Exists(regions.filter(article_id=OuterRef("pk"), region=self.region)))
        if self.theme is not None:
            themes = Article.themes.through.objects
            qs = qs.filter(Exists(themes.filter(article_id=OuterRef("pk"), theme=self.theme)))
        if self.format is not None:
            qs = qs.filter(format=self.format)
        if self.author is not None:
            bylines = Byline.objects.filter(article_id=OuterRef("pk"), author=self.author)
            qs = qs.filter(Exists(bylines))
        if self.year is not None:
            qs = qs.filter(publish_at__year=self.year)
        return qs


def base_queryset(filters: Filters) -> QuerySet:
    return filters.apply(Article.objects.published())


def gate(filters: Filters) -> tuple[str, dict]:
    """`base_queryset(filters)` as a WHERE condition on "articles_article", with named params.

    The raw statements below apply it to each of their scans of the table. Its one parameter
    is the clock (`gate_now`): the status and the filters' values are written in, so that a
    plan made without the parameters (`fetch_prepared`) still knows them. Left a parameter, the
    status made such a plan walk the status index (95,000 entries at 100k) for every search.

    The clock is compared as `(publish_at <= %(gate_now)s) IS TRUE`, the same test written so
    that no index can take it. Without the value, the planner guesses a third of the rows for
    `publish_at <= $n`, and a GIN scan ANDed with the status-and-time index then looks cheaper
    than reading the matches' rows. When the article rows were wider (head vectors kept in
    the row, at 100k), the generic plan made that choice: it read the 95,000 published
    entries of that index three times per search. A medium search went from ~7 to ~21 ms.
    """
    if not filters._gate:
        published, clock = published_condition('"articles_article"', clock_only=True)
        clock_test = '"articles_article"."publish_at" <= %s'
        assert published.count(clock_test) == 1, published
        published = published.replace(clock_test, f"({clock_test}) IS TRUE")
        conditions = [published.replace("%s", "%(gate_now)s")]
        narrowed = filters.apply(Article.objects.all()).query
        if narrowed.where:
            sql, params = narrowed.get_compiler(connection=connection).compile(narrowed.where)
            values = iter(Literal(v).as_string().replace("%", "%%") for v in params)
            written = re.sub(r"%([%s])", lambda m: "%%" if m[1] == "%" else next(values), sql)
            conditions.append(written)
        filters._gate.append((" AND ".join(conditions), {"gate_now": clock[0]}))
    sql, params = filters._gate[0]
    return sql, dict(params)


# --- Results ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Snippet:
    anchor: str
    heading: str
    raw: str  # ts_headline output: editor text with MARK_START/MARK_END around matches


@dataclass(slots=True)
class Result:
    """One result card: what the page shows of an article, as the search statement reads it."""

    id: int
    title: str
    slug: str
    dek: str
    publish_at: datetime
    format_name: str
    score: float | None
    regions: list  # (slug, name) pairs, in the vocabulary's order
    themes: list
    snippet: Snippet | None
    # Set by the view: links, chips and the highlighted snippet, as HTML.
    url: str = ""
    chips: str = ""
    snippet_html: str = ""


@dataclass
class Page:
    results: list[Result]
    ranked_total: int  # how many matches were ranked (≤ MAX_RANKED); 0 when browsing
    # A phrase was looked for in part of the archive only: a full pool (PHRASE_POOLS_SQL).
    phrase_sampled: bool = False


# What a candidate with none of the words in its head cannot reach, when the query is words
# joined by "or" (`only_words`): ts_rank then scores each word below its best weight
# (PostgreSQL's calc_rank_or: (w_max + the others' w / i^2) / (pi^2 / 6) < w_max), and body
# text weighs C (0.2); times the recency boost, at most 1 + RECENCY_WEIGHT. Such candidates
# (`body_only`: once the head tier ran, every head match is in `title_tier` or `head_matches`)
# are counted and faceted, but scored only when fewer rows than the page reaches score above
# the bound: scoring reads back the full vector, a third of a medium word's statement (~100).
BODY_BOUND = 0.2 * (1 + RECENCY_WEIGHT)


def only_words(tsquery_text: str) -> bool:
    """Whether the tsquery is lexemes joined by "or": no "and", phrase or "not"."""
    return _LEXEME.sub("", tsquery_text).strip(" |()") == ""


def _score(vector: str) -> str:
    return f"ts_rank({vector}, %(q)s::tsquery) * {BOOST_SQL.format('publish_at')}"


# Markdown source as plain text, in SQL so that fragments are cut from the text a reader sees:
# no sentinel characters, no tags (even half of one), no link targets.
PLAIN_BODY_SQL = f"""
regexp_replace(regexp_replace(translate(best.body, '{MARK_START}{MARK_END}', ''),
    '<[^<>]*>', ' ', 'g'), '\\[([^\\]]*)\\]\\([^)]*\\)', '\\1', 'g')
"""

# Each article's region, theme and author ids, kept on its row (`apps/search/vectors.py`).
TERM_IDS = "facet_region_ids, facet_theme_ids, facet_author_ids"
TERM_IDS_A = "a.facet_region_ids, a.facet_theme_ids, a.facet_author_ids"

# The candidate tiers of the module docstring, re-ranked; `{title_match}` is empty when a title
# match is a match by construction (the query is "any of these words"). `candidates` are all
# of them (the facets count them); `ranked` those with a score, `body_only` those without one
# unless the page needs it (`{prune}`, see BODY_BOUND); the page is cut from the scored ones.
CANDIDATES_SQL = f"""
title_pool AS MATERIALIZED (
    SELECT id, count(*) OVER () AS title_matches FROM (
        SELECT id, {_score("search_title")} AS title_score FROM articles_article
        WHERE {{gate}} AND search_title @@ {{title_words}}::tsquery
        OFFSET 0  -- scored here: the window below then keeps (id, score), not whole rows
    ) title_matches
    ORDER BY title_score DESC
    LIMIT {{pool}}
),
title_tier AS MATERIALIZED (
    SELECT id, {_score("search_head")} AS head_score
    FROM articles_article
    WHERE id IN (SELECT id FROM title_pool) {{title_match}}
    ORDER BY head_score DESC
    LIMIT {{head}}
),
{{pools}}head_matches AS MATERIALIZED (
    SELECT id, {_score("search_head")} AS head_score
    FROM {{head_from}}
    WHERE (SELECT count(*) FROM title_tier) < {{head}}
      AND {{head_scope}} AND search_head @@ %(q)s::tsquery
      AND id NOT IN (SELECT id FROM title_tier)
),
head_tier AS MATERIALIZED (
    SELECT id, head_score FROM head_matches ORDER BY head_score DESC LIMIT {{head}}
),
by_head AS (
    SELECT id FROM (
        SELECT id, 0 AS tier, head_score FROM title_tier
        UNION ALL
        SELECT id, 1 AS tier, head_score FROM head_tier
    ) tiers
    ORDER BY tier, head_score DESC
    LIMIT {{head}}
),
anywhere AS MATERIALIZED (
    SELECT id, format_id, publish_at, {TERM_IDS} FROM {{any_from}}
    WHERE {{any_scope}} AND search_vector @@ %(q)s::tsquery
    LIMIT {{any}}
),
body_only AS MATERIALIZED (
    SELECT * FROM anywhere
    WHERE {{prune}} AND (SELECT count(*) FROM title_tier) < {{head}}
      AND id NOT IN (SELECT id FROM title_tier) AND id NOT IN (SELECT id FROM head_matches)
),
ranked AS MATERIALIZED (
    SELECT a.id, a.title, a.slug, a.dek, a.publish_at, a.format_id,
           {TERM_IDS_A},
           ts_rank(a.search_vector, %(q)s::tsquery) * {BOOST_SQL.format("a.publish_at")} AS score
    FROM (
        SELECT id FROM by_head
        UNION
        SELECT id FROM anywhere WHERE id NOT IN (SELECT id FROM body_only)
    ) c
    JOIN articles_article a ON a.id = c.id
),
body_ranked AS MATERIALIZED (
    SELECT a.id, a.title, a.slug, a.dek, a.publish_at, a.format_id,
           {TERM_IDS_A},
           ts_rank(a.search_vector, %(q)s::tsquery) * {BOOST_SQL.format("a.publish_at")} AS score
    FROM body_only b JOIN articles_article a ON a.id = b.id
    WHERE (SELECT count(*) FROM ranked WHERE score > {{body_bound}})
          < %(limit)s::bigint + %(offset)s::bigint
),
candidates AS (
    SELECT id, format_id, publish_at, {TERM_IDS} FROM ranked
    UNION ALL
    SELECT id, format_id, publish_at, {TERM_IDS} FROM body_only
),
page AS MATERIALIZED (
    SELECT * FROM (SELECT * FROM ranked UNION ALL SELECT * FROM body_ranked) scored
    ORDER BY score DESC, publish_at DESC, id DESC
    LIMIT %(limit)s OFFSET %(offset)s
)
"""

# For a query with a phrase (`ParsedQuery.loose`), the head and `anywhere` tiers above read
# `head_pool` and `any_pool` (the title pool takes the titles with all the words): checking a
# phrase reads each vector back (from TOAST), and two common words share thousands of heads
# (17,000 for "nuclear deterrence" at 100k: ~0.2 s through the GIN index). So the phrase is
# checked only among the newest `HEAD_POOL` heads, and `ANY_POOL` articles, with all its words.
# The pools carry the vectors, so that the planner cannot check the phrase outside them. A
# full `any_pool` makes the facets lower bounds (see `_page_and_facets`).
PHRASE_POOLS_SQL = f"""
head_pool AS MATERIALIZED (
    SELECT id, publish_at, search_head FROM articles_article
    WHERE (SELECT count(*) FROM title_tier) < {{head}}
      AND {{gate}} AND search_head @@ %(loose)s::tsquery
    ORDER BY publish_at DESC
    LIMIT {{head_pool}}
),
any_pool AS MATERIALIZED (
    SELECT id, format_id, publish_at, {TERM_IDS}, search_vector FROM articles_article
    WHERE {{gate}} AND search_vector @@ %(loose)s::tsquery
    LIMIT {{any_pool}}
),
"""
HEAD_POOL = 400
ANY_POOL = 400

BROWSE_SQL = f"""
page AS MATERIALIZED (
    SELECT id, title, slug, dek, publish_at, format_id, {TERM_IDS}, NULL::float8 AS score
    FROM articles_article
    WHERE {{gate}}
    ORDER BY publish_at DESC, id DESC
    LIMIT %(limit)s OFFSET %(offset)s
)
"""

# Counts per region, theme, format, author and year of the articles in `{rows}` (id,
# format_id, publish_at and TERM_IDS): the rows the search has read carry their terms' ids
# (`Article.facet_region_ids`…), where the link tables cost an index probe per article each.
# The joins to the vocabularies drop the id of a term deleted since. The arrays are unnested in
# the select list: as a set-returning function in FROM, `unnest` filled a tuplestore for each
# row, a quarter of the facets' time.
FACET_ROWS_SQL = """
SELECT 'region' AS name, r.slug AS key, r.name AS label, r."order" AS ord, c.n FROM (
    SELECT u.id, count(*) AS n FROM (SELECT unnest(m.facet_region_ids) AS id FROM {rows} m) u
    GROUP BY u.id
) c JOIN regions_region r ON r.id = c.id
UNION ALL
SELECT 'theme', t.slug, t.name, t."order", c.n FROM (
    SELECT u.id, count(*) AS n FROM (SELECT unnest(m.facet_theme_ids) AS id FROM {rows} m) u
    GROUP BY u.id
) c JOIN regions_theme t ON t.id = c.id
UNION ALL
SELECT 'format', f.slug, f.name, f."order", count(*)
  FROM {rows} m JOIN articles_format f ON f.id = m.format_id GROUP BY f.id
UNION ALL
SELECT 'author', au.slug, au.name, 0, c.n FROM (
    SELECT u.id, count(*) AS n FROM (SELECT unnest(m.facet_author_ids) AS id FROM {rows} m) u
    GROUP BY u.id
) c JOIN articles_author au ON au.id = c.id
UNION ALL
SELECT 'year', y::text, y::text, 0, count(*) FROM (
    SELECT extract(year FROM m.publish_at AT TIME ZONE %(tz)s)::int AS y FROM {rows} m
) years GROUP BY y
"""

# The values a facet shows, chosen here so that only those are read back (a common word's
# candidates have ~120 authors): the most frequent, then by the vocabulary's order and by name
# as Python orders strings (`_facets` orders them the same way); years newest first.
FACET_VALUES_SHOWN = 12
SHOWN_FACET_ROWS_SQL = f"""
SELECT name, key, label, ord, n FROM (
    SELECT *, row_number() OVER (
        PARTITION BY name
        ORDER BY CASE WHEN name = 'year' THEN key END DESC, n DESC, ord, label COLLATE "C"
    ) AS shown
    FROM ({FACET_ROWS_SQL}) facet_values
) shown_values
WHERE shown <= {FACET_VALUES_SHOWN}
"""

# The facets of a search count its candidates: every match when `anywhere` fell short (it then
# holds them all), else a lower bound. They come once, with the first row; the one-row
# `facet_json` on the left keeps them when the page is empty.
SEARCH_FACETS_SQL = f"""
facet_rows AS ({SHOWN_FACET_ROWS_SQL.format(rows="candidates")}),
facet_json AS (
    SELECT json_build_array(
        (SELECT count(*) FROM candidates),
        (SELECT count(*) FROM anywhere),
        (SELECT max(title_matches) FROM title_pool),
        (SELECT json_agg(json_build_array(name, key, label, ord, n)) FROM facet_rows),
        %(any_form)s::boolean,
        %(has_terms)s::boolean,
        {{pooled}}
    ) AS facets
)"""

# The best-matching section of a result, with a headline around the matches: ts_headline is
# the expensive part, so it runs on that one section of the results on the page only.
SNIPPET_SQL = f"""
LEFT JOIN LATERAL (
    SELECT best.anchor, best.heading,
           ts_headline('english', {PLAIN_BODY_SQL}, %(q)s::tsquery, %(headline)s) AS headline
    FROM (
        SELECT s.anchor, s.heading, s.body
        FROM articles_section s
        WHERE s.article_id = p.id AND s.search_vector @@ %(q)s::tsquery
        ORDER BY ts_rank(s.search_vector, %(q)s::tsquery) DESC, s.position, s.id
        LIMIT 1
    ) best
) snippet ON true
"""

# The page's results with their format, region and theme ids and (`{snippet_join}`) snippets.
# The format is a subquery of the select list: a plan of its own, simple to make, where joins
# to grouped CTEs made the planner weigh join orders for 20 rows (~0.2 ms of planning a
# search). The regions' and themes' names come once, with the first row (`TERMS_SQL`): a
# subquery per card and vocabulary cost ~0.8 ms of a medium search at 100k.
CARDS_SQL = """
cards AS (
    SELECT p.id, p.title, p.slug, p.dek, p.publish_at,
           (SELECT f.name FROM articles_format f WHERE f.id = p.format_id) AS format_name,
           p.score, p.facet_region_ids AS regions, p.facet_theme_ids AS themes,
           {snippet_columns},
           row_number() OVER (ORDER BY p.score DESC, p.publish_at DESC, p.id DESC) AS n
    FROM page p
    {snippet_join}
)"""

# Every region and theme as [id, slug, name], in the vocabulary's order: the cards' chips
# (`_results`). A term deleted since the row was written is not among them, and is dropped.
TERMS_SQL = """json_build_array(
    (SELECT json_agg(json_build_array(g.id, g.slug, g.name) ORDER BY g."order", g.name)
       FROM regions_region g),
    (SELECT json_agg(json_build_array(t.id, t.slug, t.name) ORDER BY t."order", t.name)
       FROM regions_theme t))"""

SEARCH_SQL = (
    "WITH {candidates},"
    + SEARCH_FACETS_SQL
    + ","
    + CARDS_SQL.format(
        snippet_columns="snippet.anchor, snippet.heading, snippet.headline",
        snippet_join=SNIPPET_SQL,
    )
    + """
SELECT CASE WHEN c.n IS NULL OR c.n = 1 THEN fj.facets END,
       CASE WHEN c.n = 1 THEN """
    + TERMS_SQL
    + """ END, c.*
FROM facet_json fj LEFT JOIN cards c ON true
ORDER BY c.n
"""
)

BROWSE_RESULTS_SQL = (
    "WITH {page},"
    + CARDS_SQL.format(
        snippet_columns="NULL AS anchor, NULL AS heading, NULL AS headline", snippet_join=""
    )
    + """
SELECT NULL, CASE WHEN c.n = 1 THEN """
    + TERMS_SQL
    + """ END, c.* FROM cards c ORDER BY c.n
"""
)


# Whether a candidate of the title tier matches the whole query: its title, then its head, then
# its full vector say so.
TITLE_MATCH_SQL = (
    "search_title @@ %(q)s::tsquery OR search_head @@ %(q)s::tsquery"
    " OR search_vector @@ %(q)s::tsquery"
)


def _candidates(where: str, title_match: str, prune: str, phrase: bool = False) -> str:
    """CANDIDATES_SQL behind the gate `where`, with `search_sql()`'s choices; with `phrase`,
    the head and `anywhere` tiers look in the pools of PHRASE_POOLS_SQL."""
    pools = ""
    if phrase:
        pools = PHRASE_POOLS_SQL.format(
            gate=where, head=HEAD_CANDIDATES, head_pool=HEAD_POOL, any_pool=ANY_POOL
        )
    return CANDIDATES_SQL.format(
        gate=where,
        title_match=title_match,
        pool=TITLE_POOL_FACTOR * HEAD_CANDIDATES,
        head=HEAD_CANDIDATES,
        any=ANY_CANDIDATES,
        prune=prune,
        body_bound=repr(BODY_BOUND),
        pools=pools,
        title_words="%(loose)s" if phrase else "%(any)s",
        head_from="head_pool" if phrase else "articles_article",
        head_scope="true" if phrase else where,
        any_from="any_pool" if phrase else "articles_article",
        any_scope="true" if phrase else where,
    )


def search_sql(parsed: ParsedQuery, filters: Filters) -> tuple[str, dict]:
    """The search statement and its params, less `limit` and `offset`."""
    where, params = gate(filters)
    # A title with any of the words matches when the query is just "any of these words";
    # otherwise the title, then the head, then the full vector say whether it matches.
    any_form = parsed.tsquery == parsed.any_terms
    phrase = bool(parsed.loose)
    candidates = _candidates(
        where,
        title_match="" if any_form else f"AND ({TITLE_MATCH_SQL})",
        prune="true" if any_form and only_words(parsed.tsquery) else "false",
        phrase=phrase,
    )
    params.update(
        q=parsed.tsquery,
        any=parsed.any_terms,
        loose=parsed.loose,
        any_form=any_form,
        has_terms=parsed.has_terms,
        headline=HEADLINE_OPTIONS,
        tz=settings.TIME_ZONE,
    )
    pooled = "(SELECT count(*) FROM any_pool)" if phrase else "NULL"
    return SEARCH_SQL.replace("{candidates}", candidates).replace("{pooled}", pooled), params


# What `prepare()` reads of a query, in SQL: the statement of `search_text()` parses the
# reader's words itself (`raw`, `negated` and `wanted` as `prepare()` has them), so that a
# search is one round trip and one statement. `any_form` and `prunable` are the choices
# `search_sql()` makes in Python.
PARSED_SQL = """
parsed AS MATERIALIZED (
    SELECT q, any_terms, q::text = any_terms::text AS any_form,
           q::text = any_terms::text
           AND btrim(regexp_replace(q::text, '''(?:[^'']|'''')*''', '', 'g'), ' |()') = ''
               AS prunable,
           has_terms
    FROM (
        SELECT ({combined}) AS q,
               websearch_to_tsquery('english', %(wanted)s)
               || websearch_to_tsquery('simple', %(wanted)s) AS any_terms,
               querytree(websearch_to_tsquery('english', %(raw)s)) NOT IN ('', 'T') AS has_terms
    ) words
)"""


@cache
def _text_search_sql(where: str) -> str:
    """`search_sql()`'s statement for a query parsed in it (`PARSED_SQL`), behind the gate
    `where`. What `search_sql()` reads of a ParsedQuery is read of `parsed` instead, and the
    gate also asks for words: a query without any (stop words, exclusions only) reads nothing."""
    names = iter(["negated", "negated", "raw", "raw", "raw", "raw", "negated", "negated"])
    combined = re.sub("%s", lambda m: f"%({next(names)})s", COMBINED_TSQUERY_SQL)
    candidates = _candidates(
        f"{where} AND (SELECT has_terms FROM parsed)",
        title_match=f"AND ((SELECT any_form FROM parsed) OR {TITLE_MATCH_SQL})",
        prune="(SELECT prunable FROM parsed)",
    )
    sql = SEARCH_SQL.replace("WITH {candidates},", f"WITH {PARSED_SQL},\n{candidates},")
    sql = sql.replace("{pooled}", "NULL")
    for param, value in (
        ("%(q)s::tsquery", "(SELECT q FROM parsed)"),
        ("%(any)s::tsquery", "(SELECT any_terms FROM parsed)"),
        ("%(any_form)s::boolean", "(SELECT any_form FROM parsed)"),
        ("%(has_terms)s::boolean", "(SELECT has_terms FROM parsed)"),
    ):
        sql = sql.replace(param, value)
    return sql.replace("{combined}", combined)


def _results(rows: list[tuple]) -> list[Result]:
    """The cards of a search or browse statement's rows: its first row carries the
    vocabulary (`TERMS_SQL`), by which each card's region and theme ids are named."""
    if not rows or rows[0][2] is None:
        return []
    regions, themes = (_terms(terms) for terms in rows[0][1])
    return [
        Result(
            id=row[2],
            title=row[3],
            slug=row[4],
            dek=row[5],
            publish_at=row[6],
            format_name=row[7],
            score=row[8],
            regions=_named(regions, row[9]),
            themes=_named(themes, row[10]),
            snippet=Snippet(anchor=row[11], heading=row[12], raw=row[13]) if row[11] else None,
        )
        for row in rows
    ]


def _terms(terms: list | None) -> dict[int, tuple[int, str, str]]:
    """id → (place in the vocabulary's order, slug, name)."""
    return {id_: (place, slug, name) for place, (id_, slug, name) in enumerate(terms or ())}


def _named(terms: dict, ids: list[int] | None) -> list[tuple[str, str]]:
    """(slug, name) of the terms `ids` names, in the vocabulary's order."""
    return [(slug, name) for _, slug, name in sorted(terms[i] for i in ids or () if i in terms)]


def search(
    parsed: ParsedQuery, filters: Filters, offset: int = 0, limit: int = PAGE_SIZE
) -> tuple[Page, "Facets"]:
    """A page of the best published matches of `parsed`, and the facets: one query.

    The page is cut from at most MAX_RANKED candidates, each result with its best section;
    the facets count the candidates (see SEARCH_FACETS_SQL).
    """
    sql, params = search_sql(parsed, filters)
    params.update(limit=limit, offset=offset)
    page, facets, _ = _page_and_facets(fetch_prepared(sql, params, custom_plan=parsed.common))
    return page, facets


def _page_and_facets(rows: list[tuple]) -> tuple[Page, "Facets", bool]:
    """The page, the facets, and whether the query had words, from the search statement."""
    ranked, anywhere, title_matches, values, any_form, has_terms, pooled = rows[0][0]
    # A full pool of a phrase's other matches (PHRASE_POOLS_SQL; NULL without a phrase).
    sampled = pooled is not None and pooled >= ANY_POOL
    # Fewer than ANY_CANDIDATES anywhere, not from a full pool: those were all the matches,
    # all of them ranked.
    exact = anywhere < ANY_CANDIDATES and not sampled
    total = ranked
    if not exact and any_form:
        total = max(ranked, title_matches or 0)  # then every title match is a match
    facets = _facets(values or [], total=total, capped=not exact)
    page = Page(results=_results(rows), ranked_total=ranked, phrase_sampled=sampled)
    return page, facets, has_terms


def search_text(
    q: str, filters: Filters, offset: int = 0, limit: int = PAGE_SIZE
) -> tuple[Page, "Facets", bool]:
    """`search(prepare(q), filters, offset, limit)`, and whether `q` has words to look for, in
    one statement that parses `q` itself (`PARSED_SQL`): `prepare()` then `search()` are two
    round trips and two statements. A query with a common word gets a plan made for its words
    (`ParsedQuery.common`), which needs the parse first, so it takes the two steps; "common"
    is judged here on the words as typed against the common lexemes (exact forms are among
    them: every text is indexed in the `simple` configuration too). A wrong guess costs
    speed, never results."""
    if likely_common(q):
        parsed = prepare(q)
        if not parsed.has_terms:
            return Page(results=[], ranked_total=0), Facets(), False
        return (*search(parsed, filters, offset, limit), True)
    where, params = gate(filters)
    params.update(
        raw=q,
        negated=" or ".join(excluded_terms(q)),
        wanted=" or ".join(wanted_words(q)),
        headline=HEADLINE_OPTIONS,
        tz=settings.TIME_ZONE,
        limit=limit,
        offset=offset,
    )
    return _page_and_facets(fetch_prepared(_text_search_sql(where), params, custom_plan=False))


def browse(filters: Filters, offset: int = 0, limit: int = PAGE_SIZE) -> Page:
    """A page of published articles, newest first: one query."""
    where, params = gate(filters)
    params.update(limit=limit, offset=offset)
    with connection.cursor() as cursor:
        sql = BROWSE_RESULTS_SQL.replace("{page}", BROWSE_SQL.format(gate=where))
        execute_bounded(cursor, sql, params)
        return Page(results=_results(cursor.fetchall()), ranked_total=0)


def results(
    parsed: ParsedQuery | None, filters: Filters, offset: int = 0, limit: int = PAGE_SIZE
) -> Page:
    """`search()`'s page of results, or `browse()` without a query."""
    if parsed is None:
        return browse(filters, offset, limit)
    return search(parsed, filters, offset, limit)[0]


# --- Facets -------------------------------------------------------------------------------------


@dataclass
class FacetValue:
    key: str
    label: str
    count: int
    url: str = ""


@dataclass
class Facets:
    total: int = 0
    capped: bool = False
    groups: dict[str, list[FacetValue]] = field(default_factory=dict)  # the values shown

    @property
    def total_display(self) -> str:
        return f"{self.total:,}+" if self.capped else f"{self.total:,}"


FACET_NAMES = ("region", "theme", "format", "author", "year")

BROWSE_FACETS_SQL = f"""
WITH matched AS MATERIALIZED (
    SELECT id, format_id, publish_at, facet_region_ids, facet_theme_ids, facet_author_ids
    FROM articles_article WHERE {{gate}} LIMIT {{limit}}
),
m AS MATERIALIZED (SELECT * FROM matched LIMIT {{cap}})
SELECT 'total', '', '', 0, count(*) FROM matched
UNION ALL
{SHOWN_FACET_ROWS_SQL.format(rows="m")}
"""


def facets(parsed: ParsedQuery | None, filters: Filters) -> Facets:
    """Counts per region, theme, format, author and year of the matches: one query.

    With a query, those of `search()` (its candidates); browsing, of a sample of FACET_CAP
    published articles. Past the cap, counts are lower bounds and are shown with a "+".
    """
    if parsed is not None:
        return search(parsed, filters, 0, 0)[1]
    where, params = gate(filters)
    params["tz"] = settings.TIME_ZONE
    sql = BROWSE_FACETS_SQL.format(gate=where, limit=FACET_CAP + 1, cap=FACET_CAP)
    with connection.cursor() as cursor:
        execute_bounded(cursor, sql, params)
        rows = cursor.fetchall()
    total = next(row[4] for row in rows if row[0] == "total")
    values = [row for row in rows if row[0] != "total"]
    return _facets(values, total=min(total, FACET_CAP), capped=total > FACET_CAP)


def _facets(values: list, total: int, capped: bool) -> Facets:
    """`values` ([name, key, label, order, count] rows) in the order the sidebar shows them."""
    result = Facets(total=total, capped=capped, groups={name: [] for name in FACET_NAMES})
    orders: dict[tuple[str, str], int] = {}
    for name, key, label, order, count in values:
        result.groups[name].append(FacetValue(key=key, label=label, count=count))
        orders[(name, key)] = order
    for name, group in result.groups.items():
        if name == "year":
            group.sort(key=lambda v: v.key, reverse=True)
        else:
            group.sort(key=lambda v: (-v.count, orders[(name, v.key)], v.label))
    return result
