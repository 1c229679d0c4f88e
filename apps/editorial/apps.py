from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_roles(sender, **kwargs) -> None:
    from django.apps import apps

    from .roles import sync_roles

    sync_roles(apps)


class EditorialConfig(AppConfig):
    name = "apps.editorial"
    verbose_name = "Editorial workflow"

    def ready(self) -> None:
        # Registration with django-reversion: an article's revision holds its sections,
        # bylines and taggings, so a restore brings the whole article back.
        from .revisions import register_models

        register_models()
        # The data migration creates the roles; after every migrate the Administrator role
        # also receives the permissions of apps migrated later (Django's own permissions are
        # created the same way).
        post_migrate.connect(_sync_roles, sender=self, dispatch_uid="editorial_sync_roles")
