#!/bin/sh
# Container entrypoint, also run natively by `make smoke`:
#   1. wait for the database;
#   2. migrate under a PostgreSQL advisory lock, so several web containers starting at once
#      take turns (the later ones find nothing left to do);
#   3. load the demo content when LOAD_DEMO=1;
#   4. exec the command given (default: gunicorn), which replaces this shell as PID 1's child.
set -eu

cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python}"

if [ -z "${SECRET_KEY:-}" ] && [ -n "${SECRET_KEY_FILE:-}" ]; then
    if [ ! -s "$SECRET_KEY_FILE" ]; then
        # First start: make a key and keep it in the volume; containers sharing the volume
        # race for the rename, and all of them read the winner's key.
        tmp="$SECRET_KEY_FILE.$$"
        "$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(64))' > "$tmp"
        mv -n "$tmp" "$SECRET_KEY_FILE" 2>/dev/null || true
        rm -f "$tmp"
    fi
    SECRET_KEY="$(cat "$SECRET_KEY_FILE")"
    export SECRET_KEY
fi

"$PYTHON" docker/prestart.py

if [ "$#" -eq 0 ]; then
    set -- gunicorn --config gunicorn.conf.py config.wsgi:application
fi
exec "$@"
