#!/usr/bin/env bash
# Production smoke (`make smoke`): the container's start-up path, run natively because Docker
# cannot run in CI. Against PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379, with
# production settings, it:
#   1. runs `check --deploy --fail-level WARNING` and collectstatic (the image's build step);
#   2. starts two docker/entrypoint.sh at once on a fresh database: the advisory lock makes
#      their migrations take turns;
#   3. starts docker/entrypoint.sh with LOAD_DEMO=1 and its default command, gunicorn with
#      gunicorn.conf.py, and checks /healthz, /readyz, the home page (twice: cached), an
#      article and the admin login page over HTTP with curl;
#   4. stops gunicorn and drops the database.
set -euo pipefail
cd "$(dirname "$0")/.."

PY="${PY:-$PWD/.venv/bin/python}"
PG_SERVER="${SMOKE_PG_SERVER:-postgres://postgres@127.0.0.1:5432}"
DB_NAME="${SMOKE_DB_NAME:-meridian_smoke}"
# A port nothing else listens on (other servers may run on this machine).
SMOKE_PORT="${SMOKE_PORT:-$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"
BASE="http://127.0.0.1:$SMOKE_PORT"
WORK="$PWD/var/smoke"
rm -rf "$WORK" && mkdir -p "$WORK/media"

export PATH="$(dirname "$PY"):$PATH" PYTHON="$PY"
export DJANGO_ENV=production
SECRET_KEY="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(64))')"
export SECRET_KEY
export ALLOWED_HOSTS=127.0.0.1,localhost
export SECURE_SSL_REDIRECT=false        # plain HTTP here; the compose proxy or a CDN does TLS
export DATABASE_URL="$PG_SERVER/$DB_NAME"
export REDIS_URL="${SMOKE_REDIS_URL:-redis://127.0.0.1:6379/0}"
export CACHE_KEY_PREFIX="meridian-smoke-$$"
export MEDIA_ROOT="$WORK/media"
export GUNICORN_BIND="127.0.0.1:$SMOKE_PORT" WEB_CONCURRENCY=2
unset DJANGO_DEBUG

step() { echo "== smoke: $*"; }
admin_sql() {
    "$PY" -c 'import sys, psycopg
with psycopg.connect(sys.argv[1], autocommit=True) as c:
    c.execute(sys.argv[2])' "$PG_SERVER/postgres" "$1"
}

server_pid=""
cleanup() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" && wait "$server_pid" || true
    fi
    admin_sql "DROP DATABASE IF EXISTS \"$DB_NAME\" WITH (FORCE)" || true
}
trap cleanup EXIT

step "check --deploy with production settings (HTTPS redirect on, as behind TLS)"
SECURE_SSL_REDIRECT=true "$PY" manage.py check --deploy --fail-level WARNING

step "collectstatic (the Docker build step)"
"$PY" manage.py collectstatic --noinput --verbosity 0

step "two entrypoints migrating a fresh database at once"
admin_sql "DROP DATABASE IF EXISTS \"$DB_NAME\" WITH (FORCE)"
admin_sql "CREATE DATABASE \"$DB_NAME\""
LOAD_DEMO=0 docker/entrypoint.sh true > "$WORK/first.log" 2>&1 & first=$!
LOAD_DEMO=0 docker/entrypoint.sh true > "$WORK/second.log" 2>&1 & second=$!
wait "$first" || { cat "$WORK/first.log"; exit 1; }
wait "$second" || { cat "$WORK/second.log"; exit 1; }
"$PY" manage.py migrate --check --verbosity 0

step "entrypoint with LOAD_DEMO=1, then gunicorn"
LOAD_DEMO=1 docker/entrypoint.sh > "$WORK/server.log" 2>&1 & server_pid=$!
for _ in $(seq 1 120); do
    curl -fsS -o /dev/null "$BASE/healthz" 2>/dev/null && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$WORK/server.log"; exit 1; }
    sleep 0.5
done

fetch() {  # fetch PATH EXPECTED_STATUS [header to require]
    local path=$1 expected=$2 header=${3:-}
    local status
    status=$(curl -sS -o "$WORK/body" -D "$WORK/headers" -w '%{http_code}' "$BASE$path")
    if [ "$status" != "$expected" ]; then
        echo "GET $path: HTTP $status, expected $expected"; cat "$WORK/headers"
        tail -n 40 "$WORK/server.log"; exit 1
    fi
    if [ -n "$header" ] && ! grep -qi "^$header" "$WORK/headers"; then
        echo "GET $path: missing header '$header'"; cat "$WORK/headers"; exit 1
    fi
    echo "GET $path -> $status"
}

fetch /healthz 200
fetch /readyz 200
fetch / 200 "Content-Security-Policy: .*script-src 'self'"
grep -qi "^X-Request-ID: " "$WORK/headers"
fetch / 200 "X-Cache: HIT"
article=$("$PY" manage.py shell --verbosity 0 -c \
    "from apps.articles.models import Article; print(Article.objects.published().first().get_absolute_url())")
fetch "$article" 200 "Cache-Control: .*s-maxage="
fetch /admin/login/ 200 "Set-Cookie: csrftoken=.*HttpOnly"
fetch /no-such-page/ 404
grep -q '"logger": "gunicorn.access"' "$WORK/server.log"

step "stop gunicorn"
kill -TERM "$server_pid"
wait "$server_pid" || true
server_pid=""
echo "== smoke: passed"
