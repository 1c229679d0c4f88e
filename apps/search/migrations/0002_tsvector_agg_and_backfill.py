"""An aggregate that concatenates tsvectors in order, and the first vectors of existing articles."""

from django.db import migrations


def backfill_vectors(apps, schema_editor):
    from apps.search.vectors import refresh_search_vectors

    Article = apps.get_model("articles", "Article")
    ids = list(Article.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), 250):
        refresh_search_vectors(ids[start : start + 250])


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0001_trigram_and_backfill"),
    ]

    operations = [
        migrations.RunSQL(
            "CREATE AGGREGATE search_tsvector_agg (tsvector) "
            "(SFUNC = tsvector_concat, STYPE = tsvector, INITCOND = '')",
            "DROP AGGREGATE IF EXISTS search_tsvector_agg (tsvector)",
        ),
        migrations.RunPython(backfill_vectors, migrations.RunPython.noop),
    ]
