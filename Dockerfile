# syntax=docker/dockerfile:1
# Meridian web image: gunicorn serving Django, static files collected at build (WhiteNoise).
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# --- build: locked dependencies into a virtualenv, static files collected ----------------------
FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
COPY requirements.lock /tmp/requirements.lock
RUN /opt/venv/bin/pip install --no-deps -r /tmp/requirements.lock
WORKDIR /app
COPY . .
# Production settings need a key and hosts to import; nothing here connects to a database.
RUN DJANGO_ENV=production \
    SECRET_KEY=build-only-not-a-secret-build-only-not-a-secret-build-only \
    ALLOWED_HOSTS=build \
    DATABASE_URL=postgres://build@127.0.0.1:1/build \
    /opt/venv/bin/python manage.py collectstatic --noinput --verbosity 0

# --- runtime: the virtualenv and the app, run as an unprivileged user --------------------------
FROM ${PYTHON_IMAGE} AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DJANGO_ENV=production \
    MEDIA_ROOT=/app/media \
    XDG_RUNTIME_DIR=/tmp
RUN groupadd --system --gid 10001 meridian \
 && useradd --system --uid 10001 --gid meridian --home-dir /app --shell /usr/sbin/nologin meridian
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY --from=build /app /app
RUN mkdir -p /app/media /app/var/state /app/backups \
 && chown meridian:meridian /app/media /app/var/state /app/backups
USER meridian
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"]
ENTRYPOINT ["docker/entrypoint.sh"]
CMD ["gunicorn", "--config", "gunicorn.conf.py", "config.wsgi:application"]
