"""The plans use the GIN indexes.

A few thousand rows, analysed, so that the planner chooses as it would on a real archive;
sequential scans are disabled so that a small table cannot make them look cheaper. The GIN
pending lists are flushed as autovacuum would: a long one makes an index look expensive.
"""

import pytest
from django.db import connection, transaction

from apps.search import query

pytestmark = pytest.mark.django_db


def plan_of(qs) -> str:
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.fixture
def archive(publish):
    """Two matches among 3,000 copies of an article that does not match."""
    filler = publish(title="Rice prices", sections=[("A", "Harvests.")])
    for n in range(2):
        publish(title=f"Alliance {n}", sections=[("A", "The alliance holds.")])
    with connection.cursor() as cursor:
        cursor.execute(
            """
            CREATE TEMP TABLE filler ON COMMIT DROP AS
                SELECT a.* FROM articles_article a, generate_series(1, 3000) WHERE a.id = %s;
            UPDATE filler SET id = nextval(pg_get_serial_sequence('articles_article', 'id'));
            UPDATE filler SET slug = 'filler-' || id;
            INSERT INTO articles_article SELECT * FROM filler;
            SELECT gin_clean_pending_list('article_search_head_idx'::regclass),
                   gin_clean_pending_list('article_search_vector_idx'::regclass);
            ANALYZE articles_article;
            """.replace("%s", str(filler.pk))
        )


def test_the_candidate_stage_uses_both_gin_indexes(archive):
    with transaction.atomic():
        parsed = query.prepare("alliance")
        plan = plan_of(query.ranked(parsed, query.Filters()))
    assert "article_search_head_idx" in plan
    assert "article_search_vector_idx" in plan


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
