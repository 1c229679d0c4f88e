"""The public page cache: always correct, because every key includes a content generation.

Anything that can change a public page (publishing, editing, unpublishing, scheduling an article;
a region, theme, author or format edit) calls `bump_generation()` in its save path. Pages cached
under the previous generation are never read again, so every page is fresh at once: no list of
URLs to purge. Lifetimes never run past the next scheduled publish time, so a scheduled article
appears on cached pages when its time comes, with no job runner.

Only anonymous GET/HEAD responses of public pages are stored: requests carrying a session cookie
(editors, previews), admin and health paths, responses that set cookies or say `private` /
`no-store` bypass the cache entirely. A hit is one cache read: the rendered bytes and headers are
stored under one key (DESIGN.md measured `cache_page`'s two reads as ~1.7 times slower), and the
generation comes from process memory, re-read at most a second later (`current_generation`).

CDN: cached pages carry `Cache-Control: public, max-age=0, s-maxage=…, stale-while-revalidate=…`
and `settings.CONTENT_PURGE_HOOKS` names callables run with the new generation on every bump,
e.g. one that asks the CDN to purge everything.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import models, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

GENERATION_KEY = "content:generation"
NO_SCHEDULE = "none"
T = TypeVar("T")


def generation() -> int:
    """The current content generation (one cache read).

    A missing key (first start, eviction, flush) is re-created from the clock, never from 1, so a
    reset cannot bring back pages stored under an old generation number.
    """
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, time.time_ns() // 1000, timeout=None)
        value = cache.get(GENERATION_KEY)
    return int(value)


# A cache hit used to read the generation, then the page: two round trips. The generation is
# kept in process memory for at most this long instead; a bump made in this process is seen at
# once (see `_bump_now`), one made in another process within a second, well inside the 5 s
# freshness target. Nothing can be stored under a generation before that generation exists.
GENERATION_MEMO_SECONDS = 1.0
_memo: tuple[int, float] | None = None  # (generation, monotonic time it was read)


def current_generation() -> int:
    """The content generation as this process last read it, re-read after a second."""
    global _memo
    memo = _memo
    now = time.monotonic()
    if memo is not None and now - memo[1] < GENERATION_MEMO_SECONDS:
        return memo[0]
    value = generation()
    _memo = (value, now)
    return value


def forget_generation() -> None:
    """Make the next `current_generation()` read the cache (tests that clear it call this),
    and drop what this process keeps per generation."""
    global _memo, _next_publish_memo
    _memo = None
    _next_publish_memo = None
    _local_values.clear()


def bump_generation() -> None:
    """Make every cached public page stale; call it wherever public content changes.

    Inside a transaction the bump happens on commit: bumping earlier would let another request
    cache the old content under the new generation before the change is visible. A transaction
    that saves many objects bumps (and calls the purge hooks) once per save: cheap, idempotent.
    """
    transaction.on_commit(_bump_now, robust=True)


def _bump_now() -> int:
    global _memo
    try:
        value = cache.incr(GENERATION_KEY)
    except ValueError:
        generation()
        value = cache.incr(GENERATION_KEY)
    _memo = (value, time.monotonic())
    for hook in purge_hooks():
        try:
            hook(value)
        except Exception:
            # A CDN outage must not fail an editor's save; the CDN's s-maxage bounds staleness.
            logger.exception("content purge hook %r failed", hook)
    return value


class ContentQuerySet(models.QuerySet):
    """A QuerySet whose bulk writes (which skip `save()`/`delete()`) also bump the generation."""

    def update(self, **kwargs) -> int:
        rows = super().update(**kwargs)
        if rows:
            bump_generation()
        return rows

    update.alters_data = True

    def delete(self):
        result = super().delete()
        if result[0]:
            bump_generation()
        return result

    delete.alters_data = True
    delete.queryset_only = True

    def bulk_create(self, *args, **kwargs):
        objs = super().bulk_create(*args, **kwargs)
        if objs:
            bump_generation()
        return objs

    def bulk_update(self, *args, **kwargs) -> int:
        rows = super().bulk_update(*args, **kwargs)
        if rows:
            bump_generation()
        return rows


class PublicContent(models.Model):
    """Base for models readers see: saving or deleting one bumps the content generation."""

    objects = ContentQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        bump_generation()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        bump_generation()
        return result


def purge_hooks() -> list[Callable[[int], None]]:
    return [import_string(path) for path in getattr(settings, "CONTENT_PURGE_HOOKS", [])]


def next_scheduled_publish(gen: int) -> datetime | None:
    """The earliest future publish time of a published article, cached per generation.

    Costs a query when not cached; scheduling an article bumps the generation, so the cached
    answer is only ever replaced by the clock passing it. Kept in process memory too (every
    page stored asks for it): for the generation, and until that time passes.
    """
    global _next_publish_memo
    memo = _next_publish_memo
    now = timezone.now()
    if memo is not None and memo[0] == gen and (memo[1] is None or memo[1] > now):
        return memo[1]
    upcoming = _next_scheduled_publish(gen, now)
    _next_publish_memo = (gen, upcoming)
    return upcoming


_next_publish_memo: tuple[int, datetime | None] | None = None


def _next_scheduled_publish(gen: int, now: datetime) -> datetime | None:
    key = f"content:next-publish:{gen}"
    cached = cache.get(key)
    if cached == NO_SCHEDULE:
        return None
    if cached is not None and cached > now:
        return cached
    from apps.articles.models import Article

    upcoming = (
        Article.objects.filter(status=Article.Status.PUBLISHED, publish_at__gt=now)
        .order_by("publish_at")
        .values_list("publish_at", flat=True)
        .first()
    )
    if upcoming is None:
        cache.set(key, NO_SCHEDULE, timeout=settings.PAGE_CACHE_SECONDS)
    else:
        cache.set(key, upcoming, timeout=max(1, math.floor((upcoming - now).total_seconds())))
    return upcoming


def content_lifetime(gen: int) -> int:
    """Seconds that content computed under `gen` may be cached: PAGE_CACHE_SECONDS, cut short
    by the next scheduled publish time (the clock, not a bump, makes that article visible)."""
    lifetime = settings.PAGE_CACHE_SECONDS
    upcoming = next_scheduled_publish(gen)
    if upcoming is not None:
        lifetime = min(lifetime, math.floor((upcoming - timezone.now()).total_seconds()))
    return lifetime


def per_generation(name: str, compute: Callable[[], T]) -> T:
    """`compute()`, cached under the current content generation for `content_lifetime`.

    For derived data that is costly and only changes with content (the coverage matrix, the
    sitemap's hubs). With the page cache off there may be no shared cache, and a worker's own
    memory would never hear of another worker's bump: then it is computed every time. Values
    are also kept in process memory under the same generation and lifetime, so a page that
    reads them twice in a second reads the cache once.
    """
    if settings.PAGE_CACHE_SECONDS <= 0:
        return compute()
    try:
        gen = current_generation()
        key = f"{name}:{gen}"
        local = _local_values.get(key)
        if local is not None and local[0] > time.time():
            return local[1]
        value = cache.get(key)
    except Exception:
        logger.warning("cache unavailable for %s", name, exc_info=True)
        return compute()
    lifetime = 0
    try:
        lifetime = content_lifetime(gen)
        if value is None:
            value = compute()
            if lifetime >= 1:
                cache.set(key, value, timeout=lifetime)
    except Exception:
        logger.warning("cache unavailable for %s", name, exc_info=True)
        if value is None:
            value = compute()
    if lifetime >= 1:
        if len(_local_values) >= LOCAL_VALUES_MAX:
            _local_values.clear()  # old generations' entries: never read again
        # Wall-clock expiry: the lifetime ends at a scheduled publish time.
        _local_values[key] = (time.time() + lifetime, value)
    return value


# Per-generation values in this process: key → (expiry as time.time(), value).
_local_values: dict[str, tuple[float, object]] = {}
LOCAL_VALUES_MAX = 256


def page_key(request: HttpRequest, gen: int) -> str:
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    return f"page:{gen}:{request.method}:{path}"


def bypasses_cache(request: HttpRequest) -> bool:
    """Requests that are never served from, nor stored in, the public cache."""
    if settings.PAGE_CACHE_SECONDS <= 0 or request.method not in ("GET", "HEAD"):
        return True
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        return True
    return request.path_info.startswith(tuple(settings.PAGE_CACHE_EXCLUDED_PATHS))


def is_storable(response: HttpResponse) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if "Set-Cookie" in response.headers:
        return False
    cache_control = response.get("Cache-Control", "").lower()
    if any(word in cache_control for word in ("private", "no-store", "no-cache")):
        return False
    vary = {v.strip().lower() for v in response.get("Vary", "").split(",") if v.strip()}
    # Stored pages only serve requests without a session cookie, which is what "Cookie" varies on.
    return vary <= {"cookie", "accept-encoding"}


class PageCacheMiddleware:
    """Serve anonymous public pages whole from the cache; store them under the generation."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if bypasses_cache(request):
            response = self.get_response(request)
            if settings.SESSION_COOKIE_NAME in request.COOKIES and not response.has_header(
                "Cache-Control"
            ):
                # Pages seen by editors may show drafts or edit links: never in a shared cache.
                patch_cache_control(response, private=True, no_store=True)
            return response

        try:
            gen = current_generation()
            key = page_key(request, gen)
            stored = cache.get(key)
        except Exception:
            # A cache outage costs speed, not pages.
            logger.warning("page cache unavailable", exc_info=True)
            return self.get_response(request)
        if stored is not None:
            status, content, headers = stored
            response = HttpResponse(content, status=status)
            for name, value in headers:
                response.headers[name] = value
            response.headers["X-Cache"] = "HIT"
            return response

        response = self.get_response(request)
        if is_storable(response):
            try:
                self.store(key, gen, response)
            except Exception:
                logger.warning("page cache unavailable", exc_info=True)
        return response

    @staticmethod
    def store(key: str, gen: int, response: HttpResponse) -> None:
        lifetime = content_lifetime(gen)
        swr = settings.PAGE_CACHE_STALE_SECONDS
        if lifetime < settings.PAGE_CACHE_SECONDS:
            # Nobody, not even a CDN serving stale, may show the page past the publish time.
            swr = 0
        if lifetime < 1:
            return
        patch_cache_control(
            response, public=True, max_age=0, s_maxage=lifetime, stale_while_revalidate=swr
        )
        headers = list(response.items())
        cache.set(key, (response.status_code, response.content, headers), timeout=lifetime)
        response.headers["X-Cache"] = "MISS"
