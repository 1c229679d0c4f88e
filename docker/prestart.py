"""Wait for the database, migrate under an advisory lock, load demo content when asked.

Run by docker/entrypoint.sh before the web server starts; safe on every start and with several
containers starting at once.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import OperationalError, connection  # noqa: E402

# Any constant shared by every container of the site; "meridian migrate" as a 63-bit number.
MIGRATION_LOCK = 0x6D6572696469616E


def log(message: str) -> None:
    print(f"prestart: {message}", flush=True)


def wait_for_database(timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            connection.ensure_connection()
            return
        except OperationalError as exc:
            if time.monotonic() > deadline:
                msg = f"prestart: database unreachable after {timeout:.0f}s: {exc}"
                raise SystemExit(msg) from exc
            log("waiting for the database…")
            connection.close()
            time.sleep(1)


def create_superuser() -> None:
    """The first editor's account, from DJANGO_SUPERUSER_USERNAME/PASSWORD when both are set."""
    from django.contrib.auth import get_user_model

    username = os.environ.get("DJANGO_SUPERUSER_USERNAME")
    if not (username and os.environ.get("DJANGO_SUPERUSER_PASSWORD")):
        return
    if not get_user_model().objects.filter(username=username).exists():
        call_command("createsuperuser", interactive=False)


def prepare() -> None:
    """Everything that writes, one container at a time."""
    with connection.cursor() as cursor:
        log("waiting for the migration lock")
        cursor.execute("SELECT pg_advisory_lock(%s)", [MIGRATION_LOCK])
        try:
            call_command("migrate", interactive=False, verbosity=1)
            if os.environ.get("LOAD_DEMO") == "1":
                log("loading demo content")
                call_command("load_demo")
            create_superuser()
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [MIGRATION_LOCK])


def main() -> None:
    wait_for_database(float(os.environ.get("DB_WAIT_SECONDS", "60")))
    prepare()
    connection.close()


if __name__ == "__main__":
    main()
