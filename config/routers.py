"""Read replica routing: anonymous reads go to the replica, everything else to the primary.

Active only when REPLICA_DATABASE_URL is set (see docs/scaling.md). The primary serves:
- every write;
- every read in a request that is not an anonymous GET/HEAD: editors (a session cookie),
  form posts, previews — they must see their own changes, which a lagging replica may not have;
- every read after a write in the same request or task;
- every read outside a request (management commands, migrations, the shell), unless a caller
  opts in with `use_replica()`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.http import HttpRequest, HttpResponse

PRIMARY = "default"
REPLICA = "replica"

_replica_allowed: ContextVar[bool] = ContextVar("replica_allowed", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


@contextmanager
def use_replica(allowed: bool = True) -> Iterator[None]:
    token = _replica_allowed.set(allowed)
    try:
        yield
    finally:
        _replica_allowed.reset(token)


def request_may_use_replica(request: HttpRequest) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and not request.path_info.startswith("/admin/")
    )


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints) -> str | None:
        if _replica_allowed.get() and replica_configured():
            return REPLICA
        return PRIMARY

    def db_for_write(self, model, **hints) -> str:
        # Once this request has written, its later reads must see the write.
        _replica_allowed.set(False)
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True

    def allow_migrate(self, db: str, app_label: str, model_name=None, **hints) -> bool:
        return db == PRIMARY


class ReplicaRoutingMiddleware:
    """Allow the replica for the duration of an anonymous read-only request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _replica_allowed.set(request_may_use_replica(request))
        try:
            return self.get_response(request)
        finally:
            _replica_allowed.reset(token)
