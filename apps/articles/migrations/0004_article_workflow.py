import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0003_add_article_link"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="article",
            options={
                "ordering": ["-publish_at", "-pk"],
                "permissions": [
                    ("submit_article", "Can submit articles for review and take them back to draft"),
                    ("publish_article", "Can publish, schedule and unpublish articles"),
                    ("edit_any_article", "Can edit any article, including others' and published ones"),
                ],
            },
        ),
        migrations.AddField(
            model_name="article",
            name="created_by",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                help_text="The writer who started the article: Writers may edit only their own drafts.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="article",
            name="version",
            field=models.PositiveIntegerField(default=1, editable=False),
        ),
    ]
