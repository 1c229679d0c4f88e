"""The plans use the GIN indexes.

A few thousand rows, analysed, so that the planner chooses as it would on a real archive;
sequential scans are disabled so that a small table cannot make them look cheaper. The GIN
pending lists are flushed as autovacuum would: a long one makes an index look expensive.
"""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from apps.search import query

pytestmark = pytest.mark.django_db


def explain(sql: str, params=()) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def plan_of(qs) -> str:
    return explain(*qs.query.sql_with_params())


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


def test_the_candidate_stage_uses_the_gin_indexes(archive):
    with transaction.atomic():
        parsed = query.prepare("alliance")
        with CaptureQueriesContext(connection) as ran:
            ranked = query.ranked(parsed, query.Filters())
        plans = [explain(q["sql"]) for q in ran.captured_queries] + [plan_of(ranked)]
    title_tier, head_tier, final = plans
    assert "Bitmap Index Scan on article_search_title_idx" in title_tier
    assert "Bitmap Index Scan on article_search_head_idx" in head_tier
    assert "Bitmap Index Scan on article_search_vector_idx" in final


def test_facet_counting_uses_the_full_vector_index(archive):
    with transaction.atomic():
        parsed = query.prepare("alliance")
        matched = (
            query.base_queryset(query.Filters())
            .filter(query.Matches(query.F("search_vector"), query.tsquery(parsed.tsquery)))
            .values("id")
        )
        plan = plan_of(matched)
    assert "Bitmap Index Scan on article_search_vector_idx" in plan
