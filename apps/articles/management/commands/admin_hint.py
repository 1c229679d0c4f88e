import os

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Print where to log into the admin; create the superuser named in the environment."

    def handle(self, *args, **options) -> None:
        username = os.environ.get("DJANGO_SUPERUSER_USERNAME")
        User = get_user_model()
        password = os.environ.get("DJANGO_SUPERUSER_PASSWORD")
        if username and password and not User.objects.filter(username=username).exists():
            email = os.environ.get("DJANGO_SUPERUSER_EMAIL", "")
            call_command("createsuperuser", interactive=False, username=username, email=email)
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Site:  {settings.SITE_URL}/"))
        self.stdout.write(self.style.SUCCESS(f"Admin: {settings.SITE_URL}/admin/"))
        if not User.objects.filter(is_superuser=True).exists():
            self.stdout.write(
                "No admin account yet. Create one with:\n"
                "  .venv/bin/python manage.py createsuperuser\n"
                "or start with DJANGO_SUPERUSER_USERNAME and DJANGO_SUPERUSER_PASSWORD set:\n"
                "  DJANGO_SUPERUSER_USERNAME=editor DJANGO_SUPERUSER_PASSWORD=… make run"
            )
        self.stdout.write("Stop with Ctrl-C (the embedded PostgreSQL stops with it).\n")
