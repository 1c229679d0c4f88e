"""The Writer, Editor and Administrator groups with their permissions (see apps/editorial/roles.py)."""

from django.db import migrations


def create_roles(apps, schema_editor):
    from apps.editorial.roles import sync_roles

    sync_roles(apps)


def remove_roles(apps, schema_editor):
    from apps.editorial.roles import ADMINISTRATOR, ROLES

    apps.get_model("auth", "Group").objects.filter(name__in=[*ROLES, ADMINISTRATOR]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("editorial", "0001_initial"),
        ("articles", "0004_article_workflow"),
        ("regions", "0002_seed_vocabulary"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("reversion", "0002_add_index_on_version_for_content_type_and_db"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
