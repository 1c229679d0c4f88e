from django.apps import apps
from django.core.management.base import BaseCommand

from apps.editorial.roles import ADMINISTRATOR, ROLES, sync_roles


class Command(BaseCommand):
    help = "Create or update the Writer, Editor and Administrator groups and their permissions."

    def handle(self, *args, **options) -> None:
        sync_roles(apps)
        names = ", ".join([*ROLES, ADMINISTRATOR])
        self.stdout.write(self.style.SUCCESS(f"Roles up to date: {names}."))
