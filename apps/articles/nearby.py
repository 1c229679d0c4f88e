"""What an article page shows of other articles, stored with the page and kept exact.

An article page shows related analysis, the newest pieces on its primary region and theme
("More on") and the pieces that link to it ("Referenced by"). Finding them (`find`) costs
more than everything else an uncached page does: ~110 index walks and ~330 probes to score
them. Yet between two changes to the archive the answer does not move. So the page stores
what it found, with the PostgreSQL snapshot it was read in (`ArticleRender.nearby`), and a
request only merges in the articles changed since (`merged`): usually none, a few after an
edit or a publish. Exact, not a cache:

- Every write that changes what a teaser shows or where an article belongs (its status,
  publish time, title, terms, links: everything that moves `render_token`) marks the row with
  its transaction and a sequence number (`models.CHANGE_XID`). "Changed since" is then
  "written by a transaction the snapshot did not see, or later in the snapshot's own
  transaction": whatever order transactions commit in.
- A scheduled piece becomes public without a write: pieces whose publish time passed since the
  snapshot count as changed too.
- Each stored list is the newest few of something (a term's pieces, the pieces linking
  here), so merging is exact while enough of a list's stored pieces stay put: an unchanged
  piece outside a full list is older than all of it. When too few stay (pieces unpublished or
  deleted), or too many pieces changed, or the merge needs a piece it did not read, the lists
  are found afresh and stored again (`nearby`): the cost of the old live query, once.
- A deleted piece leaves no mark; it is found missing when it is to be shown and dropped from
  the lists like an unpublished one.

Related analysis is "the best-scored among the candidates": the newest `per_term` pieces of
each region, theme and rare tag, one point per shared term. The merge keeps the term lists
as they would be found now, so related analysis is the same as a fresh search.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache

from django.db import connections, router
from django.utils import timezone

from .models import CHANGE_SEQUENCE, Article, ArticleLink, ArticleRender, TaggedArticle
from .reader import (
    RAIL_LIMIT,
    REFERENCED_LIMIT,
    RELATED_LIMIT,
    RELATED_PER_TERM,
    RELATED_TAG_TERMS,
    ArticleRegion,
    ArticleTheme,
    Teaser,
    prepared_cursor,
    published_condition,
)

# More pieces changed since the snapshot than this: find everything afresh and store it again.
CHANGED_LIMIT = 12
FORMAT = 1  # the shape of `ArticleRender.nearby`; another shape is found afresh

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


def stamp(moment: datetime) -> int:
    """A publish time as whole microseconds: exact, and compact in JSON."""
    return (moment - EPOCH) // MICROSECOND


@dataclass
class Found:
    """What the page needs to choose its lists: each term's newest pieces and the pieces
    linking here, newest first, as (stamp, id); the candidates' scores; the snapshot."""

    lists: dict[tuple[str, int], list[tuple[int, int]]] = field(default_factory=dict)
    full: dict[tuple[str, int], bool] = field(default_factory=dict)
    referenced: list[tuple[int, int]] = field(default_factory=list)
    referenced_full: bool = False
    scores: dict[int, int] = field(default_factory=dict)
    snapshot: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        return {
            "format": FORMAT,
            **self.snapshot,
            "lists": [
                [kind, term, self.full[kind, term], [list(e) for e in entries]]
                for (kind, term), entries in self.lists.items()
            ],
            "referenced": [self.referenced_full, [list(e) for e in self.referenced]],
            "scores": [[pk, score] for pk, score in self.scores.items()],
        }

    @classmethod
    def from_json(cls, data: dict) -> Found:
        found = cls(snapshot={k: data[k] for k in ("xmin", "xmax", "xip", "xid", "seq", "at")})
        for kind, term, full, entries in data["lists"]:
            found.lists[kind, term] = [tuple(e) for e in entries]
            found.full[kind, term] = full
        found.referenced_full = data["referenced"][0]
        found.referenced = [tuple(e) for e in data["referenced"][1]]
        found.scores = dict(map(tuple, data["scores"]))
        return found


def _reach(kind: str, per_term: int) -> int:
    """How many of a term's newest pieces are kept: a region's and a theme's serve as related
    candidates (`per_term`) and as the "More on" rail (`RAIL_LIMIT`)."""
    return per_term if kind == "tag" else max(per_term, RAIL_LIMIT)


def choose(found: Found, terms: dict, per_term: int = RELATED_PER_TERM) -> dict[str, list[int]]:
    """The ids each list shows, in order:

    - "related": published articles sharing the most regions, themes and tags, newest first on
      ties. Bounded whatever the size of the archive: the candidates are the `per_term` newest
      published articles carrying each of the article's regions and themes and each of its
      `RELATED_TAG_TERMS` rarest tags, and only those are scored, one point per shared term
      (every tag scores). Scoring every article that shares any term grew with the archive.
    - "region", "theme": "More on" the primary region and theme, the latest others: the first
      `RAIL_LIMIT` of that term's newest pieces, which are the same candidates.
    - "referenced_by": published articles whose text links to this one.
    """
    dates = {pk: when for entries in found.lists.values() for when, pk in entries}
    candidates = {pk for entries in found.lists.values() for _, pk in entries[:per_term]}
    related = sorted(
        candidates, key=lambda pk: (found.scores.get(pk, 0), dates[pk], pk), reverse=True
    )

    def rail(kind: str) -> list[int]:
        term = (terms.get(f"rail_{kind}") or {}).get("id")
        return [pk for _, pk in found.lists.get((kind, term), [])[:RAIL_LIMIT]]

    return {
        "related": related[:RELATED_LIMIT],
        "region": rail("region"),
        "theme": rail("theme"),
        "referenced_by": [pk for _, pk in found.referenced[:REFERENCED_LIMIT]],
    }


# --- Finding afresh ---------------------------------------------------------------------------

TEASER_COLUMNS = "a.title, a.slug, a.publish_at, a.dek, f.name"


@cache
def _find_sql(per_term: int) -> str:
    """The statement that finds every list afresh: one shape for every article (each kind of
    term an array, unnested with one LATERAL part), so it is prepared once per connection
    (`reader.prepared_cursor`) and its text does not depend on the article.

    A region's or theme's newest pieces are found by walking the newest articles, which a
    rare term would make a walk of the archive: terms carried by fewer than
    `reader.RARE_TERM_USES` articles when the page was rendered read their own rows instead.
    Tag rows carry their article's publish time, so a tag's newest are an index range."""
    pub, _ = published_condition("a", clock_only=True)
    region_table = ArticleRegion._meta.db_table
    theme_table = ArticleTheme._meta.db_table
    tag_table = TaggedArticle._meta.db_table
    newest = "ORDER BY a.publish_at DESC, a.id DESC"
    numbered = f"row_number() OVER ({newest}) AS n"
    reach = _reach("region", per_term)

    def walk(kind: str, table: str, fk: str) -> str:
        """A busy term's newest pieces: walk the newest articles, probe the term."""
        return (
            f"SELECT '{kind}' AS kind, x.term, c.id, c.n FROM unnest(%s::bigint[]) x(term)"
            f" CROSS JOIN LATERAL (SELECT a.id, {numbered} FROM articles_article a WHERE {pub}"
            f" AND a.id <> %s AND EXISTS (SELECT 1 FROM {table} t"
            f" WHERE t.article_id = a.id AND t.{fk} = x.term) {newest} LIMIT {reach:d}) c"
        )

    def rows(kind: str, table: str, fk: str) -> str:
        """A rare term's newest pieces: read its rows (OFFSET 0 keeps the planner from turning
        this into the walk above)."""
        return (
            f"SELECT '{kind}' AS kind, x.term, c.id, c.n FROM unnest(%s::bigint[]) x(term)"
            f" CROSS JOIN LATERAL (SELECT a.id, {numbered}"
            f" FROM (SELECT t.article_id FROM {table} t"
            f" WHERE t.{fk} = x.term OFFSET 0) t JOIN articles_article a ON a.id = t.article_id"
            f" WHERE {pub} AND a.id <> %s {newest} LIMIT {reach:d}) c"
        )

    tag_order = "ORDER BY t.publish_at DESC, t.content_object_id DESC"
    parts = [
        walk("region", region_table, "region_id"),
        rows("region", region_table, "region_id"),
        walk("theme", theme_table, "theme_id"),
        rows("theme", theme_table, "theme_id"),
        "SELECT 'tag' AS kind, x.term, c.id, c.n FROM unnest(%s::bigint[]) x(term)"
        f" CROSS JOIN LATERAL (SELECT a.id, row_number() OVER ({tag_order}) AS n"
        f" FROM {tag_table} t JOIN articles_article a ON a.id = t.content_object_id"
        f" WHERE t.tag_id = x.term AND t.publish_at <= %s AND {pub} AND a.id <> %s"
        f" {tag_order} LIMIT {per_term:d}) c",
    ]
    score = (
        f"(SELECT count(*) FROM {region_table} s"
        " WHERE s.article_id = a.id AND s.region_id = ANY(%s::bigint[]))"
        f" + (SELECT count(*) FROM {theme_table} s"
        " WHERE s.article_id = a.id AND s.theme_id = ANY(%s::bigint[]))"
        f" + (SELECT count(*) FROM {tag_table} s"
        " WHERE s.content_object_id = a.id AND s.tag_id = ANY(%s::bigint[]))"
    )
    return (
        f"WITH candidate AS MATERIALIZED ({' UNION ALL '.join(parts)})"
        # Each candidate scored once, one point per shared term (every tag scores).
        f", scored AS MATERIALIZED (SELECT a.id, {score} AS score, {TEASER_COLUMNS}"
        " FROM articles_article a JOIN articles_format f ON f.id = a.format_id"
        " WHERE a.id IN (SELECT id FROM candidate))"
        " SELECT c.kind, c.term, c.n, s.* FROM candidate c JOIN scored s ON s.id = c.id"
        f" UNION ALL (SELECT 'referenced_by', NULL, NULL, a.id, 0, {TEASER_COLUMNS}"
        " FROM articles_article a JOIN articles_format f ON f.id = a.format_id"
        f" JOIN {ArticleLink._meta.db_table} l ON l.source_id = a.id"
        f" WHERE l.target_id = %s AND {pub} {newest} LIMIT {REFERENCED_LIMIT:d})"
    )


# The snapshot a page's lists are read in. Read before them, in a statement of its own: what
# commits in between is merged again later, which changes nothing. With the transaction's own
# id if it has one, and the last number of the sequence of changes (not `nextval`: replicas
# serve reads), after which the transaction's own later writes are numbered.
SNAPSHOT_SQL = (
    "SELECT pg_snapshot_xmin(s)::text::bigint, pg_snapshot_xmax(s)::text::bigint,"
    " ARRAY(SELECT x::text::bigint FROM pg_snapshot_xip(s) x),"
    " pg_current_xact_id_if_assigned()::text::bigint,"
    f" (SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM {CHANGE_SEQUENCE})"
    " FROM pg_current_snapshot() s"
)


def find(
    article_id: int,
    terms: dict,
    per_term: int = RELATED_PER_TERM,
    now: datetime | None = None,
    snapshot: bool = True,
) -> tuple[Found, dict[int, Teaser]]:
    """Every list afresh, through the published gate: two statements (the snapshot, then the
    lists), or one without the snapshot (lists that will not be stored). `terms` is the
    stored page's data (`rendering.Page.data`): the article's region, theme and tag ids (the
    rarest tags first), which regions and themes are rare."""
    now = now or timezone.now()
    regions, themes, tags = terms["regions"], terms["themes"], terms["tags"]
    rare_regions = set(terms.get("rare_regions", ()))
    rare_themes = set(terms.get("rare_themes", ()))
    params: list = []
    for ids, rare in ((regions, rare_regions), (themes, rare_themes)):
        params += [[i for i in ids if i not in rare], now, article_id]
        params += [[i for i in ids if i in rare], now, article_id]
    params += [tags[:RELATED_TAG_TERMS], now, now, article_id]
    params += [regions, themes, tags, article_id, now]
    with prepared_cursor(router.db_for_read(Article)) as cursor:
        if snapshot:
            cursor.execute(SNAPSHOT_SQL)
            xmin, xmax, xip, xid, seq = cursor.fetchone()
        cursor.execute(_find_sql(per_term), params)
        rows = cursor.fetchall()
    found = Found()
    if snapshot:
        found.snapshot = {
            **{"xmin": xmin, "xmax": xmax, "xip": xip, "xid": xid, "seq": seq},
            "at": stamp(now),
        }
    numbered: dict[tuple[str, int], list] = {("region", r): [] for r in regions}
    numbered |= {("theme", t): [] for t in themes}
    numbered |= {("tag", t): [] for t in tags[:RELATED_TAG_TERMS]}
    teasers = {}
    for kind, term, n, pk, score, title, slug, publish_at, dek, format_name in rows:
        teasers[pk] = Teaser(pk, title, slug, publish_at, dek, format_name)
        if kind == "referenced_by":
            found.referenced.append((stamp(publish_at), pk))
        else:
            numbered[kind, term].append((n, stamp(publish_at), pk))
            found.scores[pk] = score
    for key, entries in numbered.items():
        entries.sort()
        found.lists[key] = [(when, pk) for _, when, pk in entries]
        found.full[key] = len(entries) >= _reach(key[0], per_term)
    found.referenced.sort(reverse=True)
    found.referenced_full = len(found.referenced) >= REFERENCED_LIMIT
    return found, teasers


# --- Merging the changes since ----------------------------------------------------------------


class Stale(Exception):
    """The stored lists cannot give the exact answer: find afresh."""


@cache
def _merge_sql() -> str:
    pub, _ = published_condition("a", clock_only=True)
    pub = pub.replace("%s", "%(now)s")  # the gate's one parameter, its clock, by name

    def shared(table: str, owner: str, fk: str, param: str) -> str:
        return (
            f"CASE WHEN c.id IS NOT NULL THEN ARRAY(SELECT s.{fk} FROM {table} s"
            f" WHERE s.{owner} = a.id AND s.{fk} = ANY(%({param})s::bigint[])) END"
        )

    return (
        # Changed since the snapshot: written later in its own transaction, or by one it did
        # not see (at or past its xmax, or running then); or public since, by the clock alone.
        # The own transaction is not among the snapshot's running ones and may be at or past
        # its xmax (or below its xmin): its rows are told apart by their sequence number.
        # At most CHANGED_LIMIT + 1 (then: afresh).
        "WITH changed AS MATERIALIZED (SELECT id FROM ("
        " SELECT a.id FROM articles_article a WHERE a.change_xid >= %(low)s"
        " AND CASE WHEN a.change_xid = %(xid)s THEN a.change_seq > %(seq)s"
        " ELSE a.change_xid >= %(xmax)s OR a.change_xid = ANY(%(xip)s::bigint[]) END"
        " UNION SELECT a.id FROM articles_article a"
        " WHERE a.publish_at > %(at)s AND a.publish_at <= %(now)s AND a.status = 'published'"
        f") c LIMIT {CHANGED_LIMIT + 1:d})"
        # The pieces to be shown and the changed ones: what a teaser shows, whether it is
        # public; for a changed one, what it shares with this article and whether it links here.
        f" SELECT a.id, {TEASER_COLUMNS}, c.id IS NOT NULL, {pub},"
        f" {shared(ArticleRegion._meta.db_table, 'article_id', 'region_id', 'regions')},"
        f" {shared(ArticleTheme._meta.db_table, 'article_id', 'theme_id', 'themes')},"
        f" {shared(TaggedArticle._meta.db_table, 'content_object_id', 'tag_id', 'tags')},"
        f" c.id IS NOT NULL AND EXISTS (SELECT 1 FROM {ArticleLink._meta.db_table} l"
        " WHERE l.source_id = a.id AND l.target_id = %(article)s),"
        " (SELECT count(*) FROM changed)"
        " FROM (SELECT unnest(%(shown)s::bigint[]) AS id UNION SELECT id FROM changed) w"
        " JOIN articles_article a ON a.id = w.id"
        " JOIN articles_format f ON f.id = a.format_id"
        " LEFT JOIN changed c ON c.id = a.id"
        " WHERE a.id <> %(article)s"
    )


def merged(
    article_id: int, terms: dict, stored: dict, now: datetime | None = None
) -> tuple[dict[str, list[int]], dict[int, Teaser]]:
    """The lists as `stored` (a `Found` as JSON) has them, with the articles changed since
    merged in: one statement. Raises `Stale` when that cannot be exact."""
    if stored.get("format") != FORMAT:
        raise Stale
    found = Found.from_json(stored)
    shown = choose(found, terms)
    wanted = {pk for ids in shown.values() for pk in ids}
    params = {
        **found.snapshot,
        "at": EPOCH + found.snapshot["at"] * MICROSECOND,
        "low": min(x for x in (found.snapshot["xmin"], found.snapshot["xid"]) if x is not None),
        "now": now or timezone.now(),
        "regions": terms["regions"],
        "themes": terms["themes"],
        "tags": terms["tags"],
        "article": article_id,
        "shown": sorted(wanted),
    }
    with prepared_cursor(router.db_for_read(Article)) as cursor:
        cursor.execute(_merge_sql(), params)
        rows = cursor.fetchall()
    teasers: dict[int, Teaser] = {}
    changed: dict[int, Changed] = {}
    for pk, title, slug, publish_at, dek, fmt, is_changed, public, *shares, links, n in rows:
        if n > CHANGED_LIMIT:
            raise Stale
        if public:
            teasers[pk] = Teaser(pk, title, slug, publish_at, dek, fmt)
        if is_changed:
            when = stamp(publish_at) if publish_at else 0  # a draft may have no time
            changed[pk] = Changed(public, when, *map(set, shares), links)
    # A piece to be shown that was not found is gone (deleted): as if changed and not public.
    gone = wanted - teasers.keys() - changed.keys()
    if changed or gone:
        found = _merge(found, changed, gone)
        shown = choose(found, terms)
    if any(pk not in teasers for ids in shown.values() for pk in ids):
        raise Stale  # a piece that stood behind the shown ones, not read here
    return shown, teasers


@dataclass(slots=True)
class Changed:
    """An article changed since the snapshot, as this page sees it now."""

    public: bool
    when: int
    region: set[int]
    theme: set[int]
    tag: set[int]
    links_here: bool


def _merge(found: Found, changed: dict[int, Changed], gone: set[int]) -> Found:
    out = Found(snapshot=found.snapshot, scores=dict(found.scores))
    moved = changed.keys() | gone
    for key, entries in found.lists.items():
        kind, term = key
        pool = [e for e in entries if e[1] not in moved]
        pool += [(c.when, pk) for pk, c in changed.items() if c.public and term in getattr(c, kind)]
        out.lists[key], out.full[key] = _exact(
            pool, entries, found.full[key], _reach(kind, RELATED_PER_TERM)
        )
    for pk, c in changed.items():
        out.scores[pk] = len(c.region) + len(c.theme) + len(c.tag)
    pool = [e for e in found.referenced if e[1] not in moved]
    pool += [(c.when, pk) for pk, c in changed.items() if c.public and c.links_here]
    out.referenced, out.referenced_full = _exact(
        pool, found.referenced, found.referenced_full, REFERENCED_LIMIT
    )
    return out


def _exact(pool: list, stored: list, full: bool, reach: int) -> tuple[list, bool]:
    """The newest `reach` of `pool` (what stayed of a stored list, and the changed pieces that
    belong to it), if that is the list as it is now. A piece outside a full stored list is
    older than all of it, so the merged list is exact down to the oldest stored piece; raises
    `Stale` if it is shorter than that."""
    pool.sort(reverse=True)
    if full and sum(1 for e in pool if e >= tuple(stored[-1])) < reach:
        raise Stale
    return pool[:reach], full or len(pool) >= reach


# --- The page's entry point -------------------------------------------------------------------


def nearby(article_id: int, terms: dict, stored: dict | None = None, key: str = "") -> dict:
    """What the page shows of other articles: from the stored lists merged with the changes
    since (one statement), else found afresh and, with the render's `key`, stored again (the
    snapshot, the lists, the UPDATE: three; the staff preview, which has no key: one)."""
    now = timezone.now()
    if stored:
        try:
            return lists(*merged(article_id, terms, stored, now))
        except Stale:
            pass
    if not key:
        return fresh(article_id, terms, now=now)
    found, teasers = find(article_id, terms, now=now)
    store(article_id, key, found)
    return lists(choose(found, terms), teasers)


def fresh(
    article_id: int, terms: dict, per_term: int = RELATED_PER_TERM, now: datetime | None = None
) -> dict:
    """The lists found afresh and not stored (the staff preview): one statement."""
    found, teasers = find(article_id, terms, per_term, now, snapshot=False)
    return lists(choose(found, terms, per_term), teasers)


def store(article_id: int, key: str, found: Found) -> None:
    """Keep `found` with the article's render, if the render is still the one under `key`."""
    with connections[router.db_for_write(ArticleRender)].cursor() as cursor:
        cursor.execute(
            f"UPDATE {ArticleRender._meta.db_table} SET nearby = %s"
            " WHERE article_id = %s AND page_key = %s",
            [json.dumps(found.as_json()), article_id, key],
        )


def lists(shown: dict[str, list[int]], teasers: dict[int, Teaser]) -> dict:
    def pick(kind: str) -> list[Teaser]:
        return [teasers[pk] for pk in shown[kind]]

    return {
        "related": pick("related"),
        "rails": {"region": pick("region"), "theme": pick("theme")},
        "referenced_by": pick("referenced_by"),
    }
