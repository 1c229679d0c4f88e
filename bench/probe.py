"""The benchmark's Django-side steps, run in a subprocess with the server's environment.

    python -m bench.probe discover --out FILE        what to request: slugs, hubs, a tag, admin…
    python -m bench.probe queries --paths FILE --out FILE   SQL queries per page (test client)
    python -m bench.probe search --out FILE          top-10 agreement and facet timings
    python -m bench.probe publish --out FILE         publish an article in review, say when
    python -m bench.probe unpublish --id ID          put it back in review

Everything is discovered from the database and the URLconf, so the harness follows the pages
as they change. A page that does not exist yet is reported as missing, not guessed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ADMIN_USERNAME = "bench-admin"
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def url(name: str, *args) -> str | None:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def admin_cookie() -> dict:
    """A superuser's session, stored where the server will find it."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    User = get_user_model()
    user, _ = User.objects.get_or_create(
        username=ADMIN_USERNAME, defaults={"is_staff": True, "is_superuser": True}
    )
    if not (user.is_staff and user.is_superuser):
        User.objects.filter(pk=user.pk).update(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(user, backend=MODEL_BACKEND)
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
    }


def biggest(rows) -> tuple | None:
    rows = list(rows)
    return tuple(rows[0]) if rows else None


def discover(limit: int) -> dict:
    from django.db.models import Count

    from apps.articles.models import Article, Byline, TaggedArticle

    published = Article.objects.published()
    ids = published.values("pk")
    article_regions = Article.regions.through.objects.filter(article__in=ids)
    article_themes = Article.themes.through.objects.filter(article__in=ids)

    slugs = list(published.order_by("?").values_list("slug", flat=True)[:limit])
    # A recent article of typical length for the cache-hit figure.
    hit = published.order_by("-publish_at", "-pk").values_list("slug", flat=True)[10:11]
    region = biggest(
        article_regions.values_list("region__slug").annotate(n=Count("*")).order_by("-n")[:1]
    )
    theme = biggest(
        article_themes.values_list("theme__slug").annotate(n=Count("*")).order_by("-n")[:1]
    )
    pair = biggest(
        published.filter(regions__isnull=False, themes__isnull=False)
        .values_list("regions__slug", "themes__slug")
        .annotate(n=Count("pk"))
        .order_by("-n")[:1]
    )
    tag = biggest(
        TaggedArticle.objects.filter(content_object__in=ids)
        .values_list("tag__slug")
        .annotate(n=Count("*"))
        .order_by("-n")[:1]
    )
    fmt = biggest(published.values_list("format__slug").annotate(n=Count("*")).order_by("-n")[:1])
    author = biggest(
        Byline.objects.filter(article__in=ids)
        .values_list("author__slug")
        .annotate(n=Count("*"))
        .order_by("-n")[:1]
    )
    pages = {
        "home": url("articles:home"),
        "article": url("articles:detail", hit[0]) if hit else None,
        "region": url("regions:detail", region[0]) if region else None,
        "theme": url("regions:theme", theme[0]) if theme else None,
        "intersection": url("regions:intersection", pair[0], pair[1]) if pair else None,
        "tag": url("articles:tag", tag[0]) if tag else None,
        "format": url("articles:format", fmt[0]) if fmt else None,
        "author": url("articles:author", author[0]) if author else None,
        "feed": url("articles:feed"),
        # The index is tiny; a full section of article URLs is the work a crawler causes.
        "sitemap": url("sitemap-section", "articles"),
        "robots": url("robots"),
        "search": url("search:results"),
        "healthz": url("healthz"),
        "admin_changelist": url("admin:articles_article_changelist"),
    }
    # Listings that may page deep, biggest first: the harness checks which ones paginate.
    listings = sorted(
        (
            (n, pages[key])
            for key, n in (
                ("format", fmt and fmt[1]),
                ("tag", tag and tag[1]),
                ("region", region and region[1]),
                ("theme", theme and theme[1]),
                ("author", author and author[1]),
            )
            if pages[key] and n
        ),
        reverse=True,
    )
    article_paths = [p for p in (url("articles:detail", s) for s in slugs) if p]
    return {
        "published": published.count(),
        "total": Article.objects.count(),
        "pages": pages,
        "listings": [{"path": p, "articles": n} for n, p in listings],
        "article_paths": article_paths,
        "admin_cookie": admin_cookie() if pages["admin_changelist"] else None,
        "corpus": corpus_info(),
    }


def corpus_info() -> dict | None:
    from bench.corpus import corpus_info as info

    return info()


def count_queries(items: list[dict]) -> list[dict]:
    """Queries for each page: first request (a cache miss), then again (a hit, if cached)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    extra = {"HTTP_X_FORWARDED_PROTO": "https", "HTTP_HOST": "127.0.0.1"}
    anonymous = Client(**extra)
    staff = None
    results = []
    for item in items:
        client = anonymous
        if item.get("admin"):
            if staff is None:
                from django.contrib.auth import get_user_model

                staff = Client(**extra)
                user = get_user_model().objects.get(username=ADMIN_USERNAME)
                staff.force_login(user, backend=MODEL_BACKEND)
            client = staff
        counts, statuses = [], []
        for _ in range(2):
            with CaptureQueriesContext(connection) as captured:
                response = client.get(item["path"])
            counts.append(len(captured.captured_queries))
            statuses.append(response.status_code)
        results.append(
            {
                **item,
                "queries": counts[0],
                "queries_repeat": counts[1],
                "status": statuses[0],
                "sql": [q["sql"][:300] for q in captured.captured_queries][:20]
                if item.get("keep_sql")
                else None,
            }
        )
    return results


def search_quality(terms: dict[str, list[str]], repeats: int = 5) -> dict:
    """Top-10 agreement with exhaustive ranking (common terms) and facet timings."""
    try:
        from apps.search import quality, query
    except ImportError as error:
        return {"missing": str(error)}
    from django.db import transaction

    agreement = {}
    for term in terms.get("common", []):
        agreement[term] = quality.top_k_agreement(term)
    facets = {}
    for term in terms.get("common", [])[:3]:
        timings = []
        for _ in range(repeats):
            with transaction.atomic():
                parsed = query.prepare(term)
                started = time.perf_counter()
                result = query.facets(parsed, query.Filters())
                timings.append((time.perf_counter() - started) * 1000)
        facets[term] = {
            "ms_median": round(statistics.median(timings), 1),
            "ms_max": round(max(timings), 1),
            "total": getattr(result, "total", None),
        }
    return {"agreement": agreement, "facets": facets}


def publish() -> dict:
    """Publish an article that is in review through the editorial workflow (or the model's save
    path when there is no workflow), and note the time the change was committed."""
    from django.contrib.auth import get_user_model

    from apps.articles.models import Article

    article = (
        Article.objects.filter(status=Article.Status.REVIEW).order_by("pk").first()
        or Article.objects.filter(status=Article.Status.DRAFT).order_by("pk").first()
    )
    if article is None:
        return {"missing": "no article in review or draft"}
    user = get_user_model().objects.get(username=ADMIN_USERNAME)
    article.publish_at = None
    road = "model save"
    try:
        from apps.editorial import workflow
    except ImportError:
        workflow = None
    if workflow is not None and article.status == Article.Status.REVIEW:
        workflow.apply(article, workflow.TRANSITIONS["publish"], user)
        road = "editorial workflow"
    else:
        article.status = Article.Status.PUBLISHED
        article.save()
    article.refresh_derived()
    committed = time.time()
    return {
        "id": article.pk,
        "slug": article.slug,
        "title": article.title,
        "path": article.get_absolute_url(),
        "committed_at": committed,
        "road": road,
    }


def unpublish(pk: int) -> None:
    from apps.articles.models import Article

    Article.objects.filter(pk=pk).update(
        status=Article.Status.REVIEW, publish_at=None, first_published_at=None
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("step", choices=["discover", "queries", "search", "publish", "unpublish"])
    parser.add_argument("--out", type=Path)
    parser.add_argument("--paths", type=Path)
    parser.add_argument("--limit", type=int, default=30000)
    parser.add_argument("--id", type=int)
    args = parser.parse_args(argv)
    setup()
    if args.step == "discover":
        result = discover(args.limit)
    elif args.step == "queries":
        result = count_queries(json.loads(args.paths.read_text()))
    elif args.step == "search":
        info = corpus_info() or {}
        result = search_quality(info.get("terms", {}))
    elif args.step == "publish":
        result = publish()
    else:
        unpublish(args.id)
        result = {"ok": True}
    if args.out:
        args.out.write_text(json.dumps(result, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
