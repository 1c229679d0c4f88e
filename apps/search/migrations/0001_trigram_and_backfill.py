"""pg_trgm for "did you mean" suggestions, where the server has it.

The extension is optional: a server without contrib (or a role that may not create it) still
migrates, and search then suggests without it (see apps/search/suggest.py).
"""

from django.db import migrations

TRIGRAM_INDEXES = {
    "search_article_title_trgm_idx": "articles_article USING gin (title gin_trgm_ops)",
    "search_tag_name_trgm_idx": "taggit_tag USING gin (name gin_trgm_ops)",
}


def create_trigram(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
        if cursor.fetchone() is None:
            return
        cursor.execute("SAVEPOINT search_trgm")
        try:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except Exception:  # noqa: BLE001 - not allowed to create it: suggestions go without
            cursor.execute("ROLLBACK TO SAVEPOINT search_trgm")
            return
        cursor.execute("RELEASE SAVEPOINT search_trgm")
        for name, target in TRIGRAM_INDEXES.items():
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")


def drop_trigram_indexes(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        for name in TRIGRAM_INDEXES:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0005_search_vectors"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [
        migrations.RunPython(create_trigram, drop_trigram_indexes),
    ]
