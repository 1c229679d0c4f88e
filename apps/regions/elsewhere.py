"""The rows behind the hubs' "sections elsewhere" (`SectionRegionElsewhere`,
`SectionThemeElsewhere`): which sections carry a region or theme their article does not, with
the article's publish time.

Every change that can alter them ends in `sync` for the articles concerned: publish times
(`Article.save`, `ArticleQuerySet.update` and `refresh_derived`, through `sync_tag_dates`),
the four term relations by any route (`m2m_changed`, connected in `RegionsConfig.ready`:
admin forms, the importer, revisions, factories). Deleting an article, a section or a term
deletes its rows (foreign keys). Rows written in bulk without those paths (the benchmark's
corpus) are rebuilt with `rebuild_all`.
"""

from collections.abc import Iterable
from functools import cache

from django.db import connections, router, transaction
from django.db.models.signals import m2m_changed

from .models import Region, SectionRegionElsewhere, SectionThemeElsewhere, Theme

RELATIONS = {
    "regions": (SectionRegionElsewhere, "region_id"),
    "themes": (SectionThemeElsewhere, "theme_id"),
}


@cache
def _statements() -> tuple[str, str, str, str]:
    """Over both tables: the lock, the delete and the insert for the articles `%(ids)s`, and
    the insert of every article's rows."""
    from apps.articles.models import Article, Section

    chosen = "= ANY(%(ids)s::bigint[])"
    deletes, inserts = [], []
    for relation, (model, fk) in RELATIONS.items():
        table = model._meta.db_table
        section_terms = getattr(Section, relation).through._meta.db_table
        article_terms = getattr(Article, relation).through._meta.db_table
        deletes.append(f"DELETE FROM {table} WHERE article_id {chosen}")
        inserts.append(
            f"INSERT INTO {table} (section_id, {fk}, article_id, publish_at)"
            f" SELECT st.section_id, st.{fk}, s.article_id, a.publish_at"
            f" FROM {section_terms} st"
            f" JOIN {Section._meta.db_table} s ON s.id = st.section_id"
            f" JOIN {Article._meta.db_table} a ON a.id = s.article_id"
            f" WHERE s.article_id {chosen} AND NOT EXISTS (SELECT 1 FROM {article_terms} t"
            f" WHERE t.article_id = s.article_id AND t.{fk} = st.{fk})"
        )
    insert = f"WITH regions AS ({inserts[0]}) {inserts[1]}"
    return (
        f"SELECT 1 FROM {Article._meta.db_table} WHERE id {chosen} ORDER BY id FOR NO KEY UPDATE",
        f"WITH regions AS ({deletes[0]}) {deletes[1]}",
        insert,
        insert.replace(f"s.article_id {chosen} AND ", ""),
    )


def sync(article_ids: Iterable[int]) -> None:
    """Write these articles' rows again from their sections' and their own terms. Three
    queries, in a transaction; the articles' rows are locked first, so that two writers of
    one article take turns and each reads what the other committed."""
    ids = sorted(set(article_ids))
    if not ids:
        return
    lock, delete, insert, _ = _statements()
    db = router.db_for_write(SectionRegionElsewhere)
    with transaction.atomic(using=db, savepoint=False), connections[db].cursor() as cursor:
        for sql in (lock, delete, insert):
            cursor.execute(sql, {"ids": ids})


def rebuild_all() -> None:
    """Every row again, from scratch, for rows written without the save paths (the
    benchmark's corpus is copied in): one INSERT … SELECT per relation, in a transaction.
    A VACUUM ANALYZE of both tables should follow (not possible inside the transaction)."""
    *_, insert_all = _statements()
    db = router.db_for_write(SectionRegionElsewhere)
    with transaction.atomic(using=db, savepoint=False), connections[db].cursor() as cursor:
        # DELETE, not TRUNCATE: a transaction that has just written articles still holds
        # their deferred foreign-key checks, which TRUNCATE refuses.
        for model, _ in RELATIONS.values():
            cursor.execute(f"DELETE FROM {model._meta.db_table}")
        cursor.execute(insert_all)


def _articles_with_sections(section_ids: Iterable[int]) -> list[int]:
    from apps.articles.models import Section

    return list(Section.objects.filter(pk__in=section_ids).values_list("article_id", flat=True))


def _articles_touching(term: Region | Theme) -> list[int]:
    """Articles whose rows may change when `term` leaves many articles or sections at once:
    those with rows for it, and those with a section carrying it."""
    from apps.articles.models import Section

    relation = "regions" if isinstance(term, Region) else "themes"
    model, fk = RELATIONS[relation]
    rows = model.objects.filter(**{fk: term.pk}).values_list("article_id", flat=True)
    tagged = Section.objects.filter(**{relation: term}).values_list("article_id", flat=True)
    return list(rows.union(tagged))


def _article_terms_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    if action not in ("post_add", "post_remove", "post_clear") or pk_set == set():
        return
    if not reverse:
        sync([instance.pk])
    elif action == "post_clear":
        sync(_articles_touching(instance))
    else:
        sync(pk_set)


def _section_terms_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    if action not in ("post_add", "post_remove", "post_clear") or pk_set == set():
        return
    if not reverse:
        sync([instance.article_id])
    elif action == "post_clear":
        sync(_articles_touching(instance))
    else:
        sync(_articles_with_sections(pk_set))


def connect_signals() -> None:
    from apps.articles.models import Article, Section

    for relation in RELATIONS:
        m2m_changed.connect(
            _article_terms_changed,
            sender=getattr(Article, relation).through,
            dispatch_uid=f"elsewhere_article_{relation}",
        )
        m2m_changed.connect(
            _section_terms_changed,
            sender=getattr(Section, relation).through,
            dispatch_uid=f"elsewhere_section_{relation}",
        )
