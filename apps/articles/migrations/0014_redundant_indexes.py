"""Drop the single-column indexes Django adds for a foreign key or a slug where an index or
a unique constraint of the model already starts with that column, on the tables that grow with
the archive (~150 MB at 100,000 articles, kept up to date by every write, read by no query):

- `Article.slug`: `article_unique_slug` (and a copy for LIKE, which nothing asks);
- `Byline.article`: `byline_unique_author` (article, author);
- `Section.article`: `section_article_position_idx` (article, position) and
  `section_unique_anchor` (article, anchor);
- `Section.anchor` (and its LIKE copy): an anchor is only looked up within its article;
- `TaggedArticle.content_object`: `taggedarticle_unique_tag` (article, tag);
- `TaggedArticle.tag`: `taggedarticle_tag_newest_idx` (tag, publish time, article).

`AlterField` alone would also drop and re-create each foreign key, checking every row again,
so the indexes are dropped by name (Django derives it from the table and the column: the same
on every database).
"""

import django.db.models.deletion
from django.db import migrations, models

# (index, table, column and operator class to re-create it with)
INDEXES = [
    ("articles_article_slug_cc61df93", "articles_article", "slug"),
    ("articles_article_slug_cc61df93_like", "articles_article", "slug varchar_pattern_ops"),
    ("articles_byline_article_id_b3b9786c", "articles_byline", "article_id"),
    ("articles_section_anchor_4d16358b", "articles_section", "anchor"),
    ("articles_section_anchor_4d16358b_like", "articles_section", "anchor varchar_pattern_ops"),
    ("articles_section_article_id_78d94c73", "articles_section", "article_id"),
    (
        "articles_taggedarticle_content_object_id_c4150235",
        "articles_taggedarticle",
        "content_object_id",
    ),
    ("articles_taggedarticle_tag_id_23d7d828", "articles_taggedarticle", "tag_id"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0013_facet_term_ids"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f"DROP INDEX IF EXISTS {name}",
                    f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({column})",
                )
                for name, table, column in INDEXES
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="article",
                    name="slug",
                    field=models.SlugField(
                        blank=True,
                        db_index=False,
                        help_text="The URL: /articles/article-slug/. Left empty, it is made from the "
                        "title.",
                        max_length=200,
                    ),
                ),
                migrations.AlterField(
                    model_name="byline",
                    name="article",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="bylines",
                        to="articles.article",
                    ),
                ),
                migrations.AlterField(
                    model_name="section",
                    name="anchor",
                    field=models.SlugField(
                        blank=True,
                        db_index=False,
                        help_text="The section's link: /articles/article-slug/#anchor. Made from the "
                        "heading when empty; kept when the heading changes so that links stay "
                        "valid.",
                        max_length=60,
                    ),
                ),
                migrations.AlterField(
                    model_name="section",
                    name="article",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="sections",
                        to="articles.article",
                    ),
                ),
                migrations.AlterField(
                    model_name="taggedarticle",
                    name="content_object",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="tagged_items",
                        to="articles.article",
                    ),
                ),
                migrations.AlterField(
                    model_name="taggedarticle",
                    name="tag",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="%(app_label)s_%(class)s_items",
                        to="taggit.tag",
                    ),
                ),
            ],
        ),
    ]
