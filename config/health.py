"""Liveness, readiness, and what readers see when the database is away.

`/healthz` says the process serves requests (no database: a restart would not fix an outage
elsewhere). `/readyz` says this instance can serve pages: database and cache answer.
`HealthCheckMiddleware` answers both before host validation and the HTTPS redirect, so a
container's own health check over plain HTTP on 127.0.0.1 works whatever ALLOWED_HOSTS says.

When the database is down, views raise OperationalError; `server_error` (the 500 handler)
turns that into a 503 with a friendly page. Connections are health-checked at the start of
each request (`CONN_HEALTH_CHECKS`), so the next request after the database returns reconnects:
no restart needed.
"""

from __future__ import annotations

import logging
import sys
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request: HttpRequest) -> HttpResponse:
    checks = {"database": _database_ok(), "cache": _cache_ok()}
    ready = all(checks.values())
    return JsonResponse(
        {
            "status": "ok" if ready else "unavailable",
            **{name: "ok" if ok else "unavailable" for name, ok in checks.items()},
        },
        status=200 if ready else 503,
    )


def _database_ok() -> bool:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        logger.warning("readiness: database unavailable", exc_info=True)
        return False


def _cache_ok() -> bool:
    key = f"readyz:{uuid.uuid4().hex}"
    try:
        cache.set(key, "1", timeout=5)
        ok = cache.get(key) == "1"
        cache.delete(key)
        return ok
    except Exception:
        logger.warning("readiness: cache unavailable", exc_info=True)
        return False


HEALTH_VIEWS = {"/healthz": healthz, "/readyz": readyz}


class HealthCheckMiddleware:
    """Answer the health paths first: before host checks, the HTTPS redirect and sessions."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        view = HEALTH_VIEWS.get(request.path_info.rstrip("/"))
        if view is not None and request.method in ("GET", "HEAD"):
            return view(request)
        return self.get_response(request)


def _render_error_page(template: str, status: int) -> HttpResponse:
    # No request context: context processors may query the database that just failed.
    context = {"SITE_NAME": settings.SITE_NAME, "SITE_URL": settings.SITE_URL}
    try:
        body = loader.get_template(template).render(context)
    except Exception:
        logger.exception("error page %s failed to render", template)
        body = f"<!doctype html><title>{settings.SITE_NAME}</title><p>Please try again soon.</p>"
    return HttpResponse(body, status=status)


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 handler: a database outage becomes a 503 with a friendly page."""
    exc = sys.exc_info()[1]
    if isinstance(exc, OperationalError | InterfaceError):
        response = _render_error_page("503.html", status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    else:
        response = _render_error_page("500.html", status=500)
    response["Cache-Control"] = "no-store"
    return response
