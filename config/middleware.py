"""Request-level plumbing: request ids for the logs, and the client address behind proxies."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.http import HttpRequest, HttpResponse

from config.logging import request_id

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


class RequestIdMiddleware:
    """Give every request an id, log lines carry it, the response returns it.

    A well-formed id sent by the proxy in front (`X-Request-ID`) is kept, so one id follows a
    request through the proxy's log and ours; anything else is replaced by a fresh one.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        rid = incoming if _VALID_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        request.request_id = rid
        # Not reset on the way out: Django logs 4xx/5xx responses after the middleware chain.
        # The next request served by this worker sets its own.
        request_id.set(rid)
        response = self.get_response(request)
        response.headers[REQUEST_ID_HEADER] = rid
        return response


def client_ip(request: HttpRequest) -> str:
    """The client's address, trusting exactly `TRUSTED_PROXY_COUNT` proxies in front of us.

    Each trusted proxy appends the address it received the request from to X-Forwarded-For, so
    the client is the entry that many places from the right. Entries further left were written by
    the client itself and are ignored: rotating them cannot make one client look like many.
    With no trusted proxy (or a header shorter than the proxy chain, i.e. a request that did
    not come through it), the socket's address is used.
    """
    count = settings.TRUSTED_PROXY_COUNT
    remote = request.META.get("REMOTE_ADDR", "")
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < count:
        return remote
    return forwarded[-count]


class LoginThrottleBackend(AxesStandaloneBackend):
    """django-axes' lockout check, for logins that come from a request.

    `authenticate()` without a request (the test client's `login()`, scripts) is not a login
    attempt from the web; axes would raise on it instead of letting ModelBackend answer.
    """

    def authenticate(self, request: HttpRequest | None, *args, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, *args, **kwargs)
