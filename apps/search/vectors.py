"""The stored search vectors: what an article's text contributes, and with which weight.

Each text is indexed twice, with English stemming (deterrence ≈ deterrent) and with the `simple`
configuration (exact word forms, names and non-English words the stemmer would mangle). Weights:
title A; dek, takeaways, section headings and region/theme/tag names B; lead and section bodies C.

`search_head` holds the A and B parts only: it is small, so ranking it is cheap, and the full
vector is `search_head || body`, so the head's positions open the full vector and a head match
ranks the same way in both. Search ranks candidates by the head first (see `query.py`).
Each section also gets its own vector (heading B, body C) to pick the best snippet.

The same refresh copies the article's region, theme and author ids onto its row for the
facets (`Article.facet_region_ids`…); `connect_signals` keeps them when those relations are
edited directly.
"""

from django.db import connection, transaction

CONFIGS = ("english", "simple")


def weighted(text_sql: str, weight: str) -> str:
    """SQL for `text_sql` indexed in every configuration, with one weight."""
    return " || ".join(
        f"setweight(to_tsvector('{config}', coalesce({text_sql}, '')), '{weight}')"
        for config in CONFIGS
    )


# Each article's region, theme and author ids, in id order: what `Article.facet_region_ids`,
# `facet_theme_ids` and `facet_author_ids` hold for the search facets (`query.FACET_ROWS_SQL`).
_TERM_IDS_SQL = """
SELECT a.id,
       ARRAY(SELECT r.region_id FROM articles_article_regions r
             WHERE r.article_id = a.id ORDER BY 1) AS facet_region_ids,
       ARRAY(SELECT t.theme_id FROM articles_article_themes t
             WHERE t.article_id = a.id ORDER BY 1) AS facet_theme_ids,
       ARRAY(SELECT b.author_id FROM articles_byline b
             WHERE b.article_id = a.id ORDER BY 1) AS facet_author_ids
FROM articles_article a
WHERE a.id = ANY(%(ids)s)
"""

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
SET search_head = v.head, search_vector = v.head || v.body,
    facet_region_ids = t.facet_region_ids, facet_theme_ids = t.facet_theme_ids,
    facet_author_ids = t.facet_author_ids
FROM vectors v, ({_TERM_IDS_SQL}) t
WHERE a.id = v.id AND t.id = v.id
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


_SYNC_TERM_IDS_SQL = f"""
UPDATE articles_article a
SET facet_region_ids = t.facet_region_ids, facet_theme_ids = t.facet_theme_ids,
    facet_author_ids = t.facet_author_ids
FROM ({_TERM_IDS_SQL}) t
WHERE a.id = t.id
  AND (a.facet_region_ids, a.facet_theme_ids, a.facet_author_ids)
      IS DISTINCT FROM (t.facet_region_ids, t.facet_theme_ids, t.facet_author_ids)
"""


def sync_term_ids(article_ids) -> None:
    """Copy these articles' region, theme and author ids onto their rows (one UPDATE, of the
    rows that differ). `refresh_search_vectors` does it too; this is for the writes that do not
    go through it: the term relations and bylines edited directly (`connect_signals`)."""
    ids = list(article_ids)
    if ids:
        with connection.cursor() as cursor:
            cursor.execute(_SYNC_TERM_IDS_SQL, {"ids": ids})


def _terms_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    """`m2m_changed` of `Article.regions` and `Article.themes`, from either side."""
    if not reverse:
        if action in ("post_add", "post_remove", "post_clear"):
            sync_term_ids([instance.pk])
        return
    if action == "pre_clear":  # the articles losing the term, read while they still have it
        term = type(instance)._meta.model_name  # the through model's "region" or "theme"
        rows = sender.objects.filter(**{term: instance})
        instance._cleared_article_ids = list(rows.values_list("article_id", flat=True))
    elif action == "post_clear":
        sync_term_ids(getattr(instance, "_cleared_article_ids", ()))
    elif action in ("post_add", "post_remove"):
        sync_term_ids(pk_set or ())


def _byline_changed(sender, instance, **kwargs) -> None:
    sync_term_ids([instance.article_id])


def connect_signals() -> None:
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from apps.articles.models import Article, Byline

    for relation in ("regions", "themes"):
        m2m_changed.connect(
            _terms_changed,
            sender=getattr(Article, relation).through,
            dispatch_uid=f"search_term_ids_{relation}",
        )
    post_save.connect(_byline_changed, sender=Byline, dispatch_uid="search_byline_saved")
    post_delete.connect(_byline_changed, sender=Byline, dispatch_uid="search_byline_deleted")
