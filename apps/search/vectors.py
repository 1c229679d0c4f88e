"""The stored search vectors: what an article's text contributes, and with which weight.

Each text is indexed twice, with English stemming (deterrence ≈ deterrent) and with the `simple`
configuration (exact word forms, names and non-English words the stemmer would mangle). Weights:
title A; dek, takeaways, section headings and region/theme/tag names B; lead and section bodies C.

`search_head` holds the A and B parts only: it is small, so ranking it is cheap, and the full
vector is `search_head || body`, so the head's positions open the full vector and a head match
ranks the same way in both. Search ranks candidates by the head first (see `query.py`).
Each section also gets its own vector (heading B, body C) to pick the best snippet.
"""

from django.db import connection, transaction

CONFIGS = ("english", "simple")


def weighted(text_sql: str, weight: str) -> str:
    """SQL for `text_sql` indexed in every configuration, with one weight."""
    return " || ".join(
        f"setweight(to_tsvector('{config}', coalesce({text_sql}, '')), '{weight}')"
        for config in CONFIGS
    )


# Each section's text is parsed once: its vector is stored for snippets, and the article's body
# vector is the sections' body vectors concatenated in order (search_tsvector_agg, created by
# the search app's migration 0002), which halves the cost of a refresh.
_REFRESH_SQL = f"""
WITH sec AS MATERIALIZED (
    SELECT s.id, s.article_id, s.position, s.heading,
           {weighted("s.heading", "B")} AS heading_vector,
           {weighted("s.body", "C")} AS body_vector
    FROM articles_section s
    WHERE s.article_id = ANY(%(ids)s)
),
sections AS (
    UPDATE articles_section s
    SET search_vector = sec.heading_vector || sec.body_vector
    FROM sec
    WHERE s.id = sec.id
),
src AS (
    SELECT
        a.id,
        a.title AS a_text,
        concat_ws(E'\\n', a.dek, array_to_string(a.takeaways, E'\\n'), agg.headings, voc.names)
            AS b_text,
        a.lead AS lead,
        agg.bodies
    FROM articles_article a
    LEFT JOIN LATERAL (
        SELECT string_agg(sec.heading, E'\\n' ORDER BY sec.position, sec.id) AS headings,
               search_tsvector_agg(sec.body_vector ORDER BY sec.position, sec.id) AS bodies
        FROM sec WHERE sec.article_id = a.id
    ) agg ON true
    LEFT JOIN LATERAL (
        SELECT string_agg(n.name, E'\\n') AS names FROM (
            SELECT r.name FROM articles_article_regions ar
                JOIN regions_region r ON r.id = ar.region_id WHERE ar.article_id = a.id
            UNION ALL
            SELECT t.name FROM articles_article_themes at
                JOIN regions_theme t ON t.id = at.theme_id WHERE at.article_id = a.id
            UNION ALL
            SELECT tag.name FROM articles_taggedarticle ta
                JOIN taggit_tag tag ON tag.id = ta.tag_id WHERE ta.content_object_id = a.id
        ) n
    ) voc ON true
    WHERE a.id = ANY(%(ids)s)
),
vectors AS (
    SELECT id,
           {weighted("a_text", "A")} || {weighted("b_text", "B")} AS head,
           {weighted("lead", "C")} || coalesce(bodies, ''::tsvector) AS body
    FROM src
)
UPDATE articles_article a
SET search_head = v.head, search_vector = v.head || v.body
FROM vectors v
WHERE a.id = v.id
"""


def refresh_search_vectors(article_ids: list[int]) -> None:
    """Recompute the article and section vectors of `article_ids` in one statement.

    For a single article (the save path) that is one query.
    """
    if not article_ids:
        return
    ids = list(article_ids)
    if len(ids) == 1:
        with connection.cursor() as cursor:
            cursor.execute(_REFRESH_SQL, {"ids": ids})
        return
    with transaction.atomic(), connection.cursor() as cursor:
        # Bulk refreshes often run on fresh tables whose statistics overestimate every join,
        # and JIT-compiling that plan costs more than the refresh itself.
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(_REFRESH_SQL, {"ids": ids})
