"""Editors' sessions end after `ADMIN_IDLE_MINUTES` without activity.

`SESSION_ENGINE` points here: database sessions that remember their expiry when loaded, so
`SessionIdleTimeoutMiddleware` can renew a session sparingly: at most once a minute, and only
sessions a request loaded anyway. Renewing on every request would write to the database on
every admin click.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

RENEW_AFTER = timedelta(minutes=1)


class SessionStore(DatabaseSessionStore):
    expire_date = None

    def _get_session_from_db(self):
        session = super()._get_session_from_db()
        self.expire_date = session.expire_date if session is not None else None
        return session


class SessionIdleTimeoutMiddleware:
    """Push an active session's expiry forward; an idle one lapses after SESSION_COOKIE_AGE."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        expires = getattr(session, "expire_date", None)
        if expires is not None and not session.is_empty():
            renewed_at = expires - timedelta(seconds=settings.SESSION_COOKIE_AGE)
            if timezone.now() - renewed_at >= RENEW_AFTER:
                # SessionMiddleware, outside this one, saves it with a fresh expiry and cookie.
                session.modified = True
        return response
