"""The three editorial roles as Django groups, applied by a data migration and `sync_roles`.

Writer: creates articles, edits own drafts, submits them for review; cannot publish,
unpublish or edit others' published work (enforced in apps.editorial.workflow).
Editor: edits any article, publishes, schedules, unpublishes, shares previews, tidies tags.
Administrator: every permission, including users, groups and the vocabularies.

Members also need "staff status" to log into the admin.
"""

WRITER = [
    "articles.add_article",
    "articles.change_article",
    "articles.view_article",
    "articles.submit_article",
    "articles.add_section",
    "articles.change_section",
    "articles.delete_section",
    "articles.view_section",
    "articles.add_byline",
    "articles.change_byline",
    "articles.delete_byline",
    "articles.view_byline",
    "articles.view_author",
    "articles.view_format",
    "regions.view_region",
    "regions.view_theme",
    "taggit.add_tag",
    "taggit.view_tag",
]

EDITOR = [
    *WRITER,
    "articles.publish_article",
    "articles.edit_any_article",
    "articles.add_author",
    "articles.change_author",
    "taggit.change_tag",
    "taggit.delete_tag",
    "editorial.add_sharelink",
    "editorial.change_sharelink",
    "editorial.view_sharelink",
    "editorial.view_auditentry",
    "editorial.add_updatenote",
    "editorial.change_updatenote",
    "editorial.delete_updatenote",
    "editorial.view_updatenote",
    "editorial.view_slugredirect",
]

ROLES = {"Writer": WRITER, "Editor": EDITOR}
ADMINISTRATOR = "Administrator"


def sync_roles(apps) -> None:
    """Create the groups and give them their permissions; safe to run again.

    `apps` is a migration's app registry or `django.apps.apps`. Permissions are created first,
    because Django only creates them after all migrations have run.
    """
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        original = getattr(app_config, "models_module", None)
        app_config.models_module = original or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = original

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        wanted = set()
        for dotted in codenames:
            app_label, codename = dotted.split(".")
            wanted.add((app_label, codename))
        permissions = [
            p
            for p in Permission.objects.select_related("content_type")
            if (p.content_type.app_label, p.codename) in wanted
        ]
        missing = wanted - {(p.content_type.app_label, p.codename) for p in permissions}
        if missing:
            raise LookupError(f"Role {name}: unknown permissions {sorted(missing)}")
        group.permissions.set(permissions)
    administrator, _ = Group.objects.get_or_create(name=ADMINISTRATOR)
    administrator.permissions.set(Permission.objects.all())
