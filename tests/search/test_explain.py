"""The plans use the GIN indexes.

A few thousand rows, analysed, so that the planner chooses as it would on a real archive;
sequential scans are disabled so that a small table cannot make them look cheaper. The GIN
pending lists are flushed as autovacuum would: a long one makes an index look expensive.
"""

import re

import pytest
from django.db import connection, transaction

from apps.search import query

pytestmark = pytest.mark.django_db


def explain(sql: str, params=()) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def ctes(plan: str) -> dict[str, str]:
    """The plan of each CTE of a statement, by name."""
    parts = re.split(r"^ *CTE (\w+)$", plan, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


@pytest.fixture
def archive(publish):
    """Two matches among 3,000 copies of an article that does not match."""
    filler = publish(title="Rice prices", sections=[("A", "Harvests.")])
    for n in range(2):
        publish(title=f"Alliance {n}", sections=[("A", "The alliance holds.")])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name = 'articles_article' AND column_name <> 'id' "
            "AND is_generated = 'NEVER' ORDER BY ordinal_position"
        )
        columns = [row[0] for row in cursor.fetchall()]
        values = ["'filler-' || n" if c == "slug" else f'"{c}"' for c in columns]
        cursor.execute(
            f"""
            INSERT INTO articles_article ({", ".join(f'"{c}"' for c in columns)})
            SELECT {", ".join(values)}
            FROM articles_article, generate_series(1, 3000) AS n WHERE id = %s
            """,
            [filler.pk],
        )
        cursor.execute(
            "SELECT gin_clean_pending_list('article_search_head_idx'::regclass), "
            "gin_clean_pending_list('article_search_vector_idx'::regclass), "
            "gin_clean_pending_list('article_search_title_idx'::regclass)"
        )
        cursor.execute("ANALYZE articles_article")


def test_each_candidate_tier_uses_its_gin_index(archive):
    with transaction.atomic():
        parsed = query.prepare("alliance")
        sql, params = query.search_sql(parsed, query.Filters())
        plan = ctes(explain(sql, {**params, "limit": 20, "offset": 0}))
    assert "Bitmap Index Scan on article_search_title_idx" in plan["title_pool"]
    assert "Index Scan using articles_article_pkey" in plan["title_tier"]
    assert "Bitmap Index Scan on article_search_head_idx" in plan["head_matches"]
    assert "Bitmap Index Scan on article_search_vector_idx" in plan["anywhere"]


def test_the_generic_plan_uses_the_gin_indexes_and_knows_the_status(archive):
    """Rare and medium words run the statement's one generic plan (`query.fetch_prepared`):
    it must find matches by the GIN indexes without knowing the words, and know the status
    (as a parameter, at 100k, it made the plan walk the status index for every search)."""
    with transaction.atomic():
        parsed = query.prepare("alliance")
        sql, params = query.search_sql(parsed, query.Filters())
        params.update(limit=20, offset=0)
        names = list(dict.fromkeys(re.findall(r"%\((\w+)\)s", sql)))
        assert [n for n in names if n.startswith("gate_")] == ["gate_now"]
        positional = re.sub(r"%\((\w+)\)s", lambda m: f"${names.index(m[1]) + 1}", sql)
        with connection.cursor() as cursor:
            cursor.execute(f"PREPARE search_plan AS {positional}")
            cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
            values = ", ".join(["%s"] * len(names))
            plan = ctes(explain(f"EXECUTE search_plan({values})", [params[n] for n in names]))
            cursor.execute("DEALLOCATE search_plan")
    assert "$1" in plan["title_pool"]  # the clock: a parameter, so the plan is generic
    assert "Bitmap Index Scan on article_search_title_idx" in plan["title_pool"]
    assert "Bitmap Index Scan on article_search_head_idx" in plan["head_matches"]
    assert "Bitmap Index Scan on article_search_vector_idx" in plan["anywhere"]
    assert "(status)::text = 'published'::text" in plan["anywhere"]
    # Not knowing the clock, the planner guesses that a third of the articles are published
    # by then; it must not AND the GIN scans with the index on the time (`query.gate`).
    for name in ("title_pool", "head_matches", "anywhere"):
        assert "BitmapAnd" not in plan[name]
        assert "article_status_publish_idx" not in plan[name]


def test_a_word_in_many_articles_is_common_by_the_planner_statistics(publish, monkeypatch):
    """Such a search is planned for its words (`ParsedQuery.common`); the statistics are read
    with the parse, again after COMMON_SECONDS."""
    for n in range(30):
        publish(title=f"Tariff note {n}", sections=[("A", "Tariff talk." if n < 10 else "Ports.")])
    publish(title="Zebra crossing")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE articles_article")
    monkeypatch.setitem(query._common, "read_at", None)
    with transaction.atomic():
        assert query.prepare("tariff").common is True
        assert query.prepare("zebra crossing").common is False
        assert query.prepare("talk").common is True  # a third of the articles
        monkeypatch.setattr(query, "COMMON_SHARE", 0.5)
        assert query.prepare("talk").common is True  # read again only when stale
        monkeypatch.setitem(query._common, "read_at", None)
        assert query.prepare("talk").common is False
        assert query.prepare("tariff").common is True


def test_body_only_candidates_are_scored_only_when_the_page_needs_them(publish):
    for n in range(3):
        publish(title=f"Note {n}", dek="New tariff rules.")
    for n in range(3):
        publish(title=f"Memo {n}", sections=[("A", "Tariff talk.")])
    with transaction.atomic():
        parsed = query.prepare("tariff")
        sql, params = query.search_sql(parsed, query.Filters())

        def body_ranked(offset: int) -> str:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) {sql}",
                    {**params, "limit": 2, "offset": offset},
                )
                return ctes("\n".join(row[0] for row in cursor.fetchall()))["body_ranked"]

        # three head matches above the bound: the first page needs none of the others (the
        # planner reads their rows with a plain or a bitmap index scan, as statistics say)
        read = r"(?:Index Scan using|Bitmap Index Scan on) articles_article_pkey "
        assert re.search(read + ".*never executed", body_ranked(0))
        assert re.search(read + ".*loops=3", body_ranked(2))
