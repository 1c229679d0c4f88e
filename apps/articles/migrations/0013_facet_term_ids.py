"""Each article's region, theme and author ids on its row, for the search facets
(`apps/search/vectors.py` keeps them), filled in for the articles already there."""

import django.contrib.postgres.fields
import django.db.models.expressions
from django.db import migrations, models

EMPTY_IDS = django.db.models.expressions.RawSQL("'{}'::bigint[]", ())

FILL = """
UPDATE articles_article a
SET facet_region_ids = ARRAY(SELECT r.region_id FROM articles_article_regions r
                       WHERE r.article_id = a.id ORDER BY 1),
    facet_theme_ids = ARRAY(SELECT t.theme_id FROM articles_article_themes t
                      WHERE t.article_id = a.id ORDER BY 1),
    facet_author_ids = ARRAY(SELECT b.author_id FROM articles_byline b
                       WHERE b.article_id = a.id ORDER BY 1)
"""


def ids_field():
    return django.contrib.postgres.fields.ArrayField(
        base_field=models.BigIntegerField(),
        db_default=EMPTY_IDS,
        default=list,
        editable=False,
        size=None,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0012_change_markers"),
    ]

    operations = [
        migrations.AddField(model_name="article", name="facet_region_ids", field=ids_field()),
        migrations.AddField(model_name="article", name="facet_theme_ids", field=ids_field()),
        migrations.AddField(model_name="article", name="facet_author_ids", field=ids_field()),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
    ]
