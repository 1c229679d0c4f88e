from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from apps.articles.models import Article
from config import caching
from tests.factories import ArticleFactory, AuthorFactory, RegionFactory, ThemeFactory

pytestmark = pytest.mark.django_db


def test_second_anonymous_request_is_served_whole_from_the_cache(page_cache, reader):
    article = ArticleFactory(title="Alliance burden sharing")

    first = reader.get(article.get_absolute_url())
    second = reader.get(article.get_absolute_url())

    assert first["X-Cache"] == "MISS"
    assert second["X-Cache"] == "HIT"
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]


def test_cached_pages_tell_a_cdn_how_long_to_keep_them(page_cache, reader):
    article = ArticleFactory()

    response = reader.get(article.get_absolute_url())

    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"public", "max-age=0", "s-maxage=300", "stale-while-revalidate=30"} <= directives


def test_query_string_is_part_of_the_key(page_cache, reader):
    reader.get("/?page=1")

    assert reader.get("/?page=1")["X-Cache"] == "HIT"
    assert reader.get("/?page=2")["X-Cache"] == "MISS"


def test_published_edit_is_visible_immediately_to_anonymous_readers(
    page_cache, reader, django_capture_on_commit_callbacks
):
    article = ArticleFactory(title="Before the summit")
    assert b"Before the summit" in reader.get(article.get_absolute_url()).content

    with django_capture_on_commit_callbacks(execute=True):
        article.title = "After the summit"
        article.save()

    response = reader.get(article.get_absolute_url())
    assert response["X-Cache"] == "MISS"
    assert b"After the summit" in response.content


def test_unpublishing_removes_the_article_from_cached_pages_at_once(
    page_cache, reader, django_capture_on_commit_callbacks
):
    article = ArticleFactory(title="Withdrawn analysis")
    assert b"Withdrawn analysis" in reader.get(reverse("articles:home")).content

    with django_capture_on_commit_callbacks(execute=True):
        article.status = Article.Status.UNPUBLISHED
        article.save()

    assert b"Withdrawn analysis" not in reader.get(reverse("articles:home")).content
    assert reader.get(article.get_absolute_url()).status_code == 404


def test_scheduled_article_appears_on_cached_pages_when_its_time_comes(page_cache, reader):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        ArticleFactory(title="Scheduled piece", publish_at=start + timedelta(seconds=60))
        early = reader.get(reverse("articles:home"))
        assert b"Scheduled piece" not in early.content
        assert "s-maxage=60" in early["Cache-Control"]
        assert "stale-while-revalidate=0" in early["Cache-Control"]

        clock.shift(timedelta(seconds=30))
        assert reader.get(reverse("articles:home"))["X-Cache"] == "HIT"

        clock.shift(timedelta(seconds=31))
        on_time = reader.get(reverse("articles:home"))
        assert on_time["X-Cache"] == "MISS"
        assert b"Scheduled piece" in on_time.content


def test_staff_never_get_cached_pages(page_cache, reader, client, admin_user):
    article = ArticleFactory()
    reader.get(article.get_absolute_url())
    assert reader.get(article.get_absolute_url())["X-Cache"] == "HIT"

    client.force_login(admin_user)
    response = client.get(article.get_absolute_url())

    assert "X-Cache" not in response
    assert "private" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]


def test_a_page_rendered_for_staff_is_not_stored_for_readers(page_cache, reader, admin_client):
    article = ArticleFactory()

    admin_client.get(article.get_absolute_url())

    assert reader.get(article.get_absolute_url())["X-Cache"] == "MISS"


def test_public_pages_set_no_cookies(page_cache, reader):
    article = ArticleFactory()

    for url in (reverse("articles:home"), article.get_absolute_url()):
        response = reader.get(url)
        assert response.status_code == 200
        assert not response.cookies, url
        assert "Set-Cookie" not in response


@pytest.mark.urls("tests.ops.urls")
def test_responses_that_set_cookies_or_say_private_are_never_stored(page_cache, reader):
    for url in ("/ops-test/sets-cookie/", "/ops-test/private/"):
        reader.get(url)
        assert "X-Cache" not in reader.get(url), url


def test_admin_and_health_paths_bypass_the_cache(page_cache, reader):
    for url in ("/admin/login/", "/healthz", "/readyz"):
        reader.get(url)
        assert "X-Cache" not in reader.get(url), url


def test_posts_bypass_the_cache(page_cache, reader):
    reader.get("/")
    assert "X-Cache" not in reader.post("/")


def test_saves_inside_a_transaction_bump_only_on_commit(
    page_cache, django_capture_on_commit_callbacks
):
    before = caching.generation()

    with django_capture_on_commit_callbacks() as callbacks:
        article = ArticleFactory()
        article.title = "Edited"
        article.save()
        article.refresh_derived()
        assert caching.generation() == before

    assert callbacks
    for callback in callbacks:
        callback()
    assert caching.generation() > before


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda a: Article.objects.filter(pk=a.pk).update(featured=True), id="update"),
        pytest.param(lambda a: Article.objects.filter(pk=a.pk).delete(), id="queryset-delete"),
        pytest.param(lambda a: a.delete(), id="delete"),
        pytest.param(lambda a: a.refresh_derived(), id="refresh-derived"),
        pytest.param(lambda a: a.sections.create(heading="New part"), id="section"),
        pytest.param(lambda a: a.format.save(), id="format"),
        pytest.param(lambda a: AuthorFactory(), id="author"),
        pytest.param(lambda a: RegionFactory(), id="region"),
        pytest.param(lambda a: ThemeFactory(), id="theme"),
    ],
)
def test_every_content_change_bumps_the_generation(change, django_capture_on_commit_callbacks):
    article = ArticleFactory()
    before = caching.generation()

    with django_capture_on_commit_callbacks(execute=True):
        change(article)

    assert caching.generation() > before


def test_a_lost_generation_never_comes_back_as_an_old_number():
    first = caching.generation()
    cache.delete(caching.GENERATION_KEY)

    assert caching.generation() > first


calls: list[int] = []


def record_purge(generation: int) -> None:
    calls.append(generation)


def failing_purge(generation: int) -> None:
    raise ConnectionError("CDN unreachable")


def test_purge_hooks_hear_of_every_bump_and_cannot_fail_a_save(
    settings, django_capture_on_commit_callbacks
):
    settings.CONTENT_PURGE_HOOKS = [
        "tests.ops.test_caching.failing_purge",
        "tests.ops.test_caching.record_purge",
    ]
    calls.clear()

    with django_capture_on_commit_callbacks(execute=True):
        ArticleFactory()

    assert calls == [caching.generation()]


def test_a_cache_outage_serves_pages_uncached(page_cache, reader, monkeypatch):
    article = ArticleFactory()

    def down(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(caching.cache, "get", down)
    response = reader.get(article.get_absolute_url())

    assert response.status_code == 200
    assert "X-Cache" not in response


def _cells():
    from apps.regions.coverage import coverage_cells

    return {key: cell.count for key, cell in coverage_cells().items()}


def test_the_coverage_matrix_is_computed_once_per_content_generation(
    page_cache, django_assert_num_queries, django_capture_on_commit_callbacks
):
    region, theme = RegionFactory(), ThemeFactory()
    ArticleFactory(regions=[region], themes=[theme])
    with django_assert_num_queries(2):  # the matrix, and the next scheduled publish time
        assert _cells() == {(region.pk, theme.pk): 1}
    with django_assert_num_queries(0):
        assert _cells() == {(region.pk, theme.pk): 1}

    with django_capture_on_commit_callbacks(execute=True):
        ArticleFactory(regions=[region], themes=[theme]).refresh_derived()
    assert _cells() == {(region.pk, theme.pk): 2}


def test_a_scheduled_article_enters_the_cached_coverage_matrix_when_its_time_comes(page_cache):
    region, theme = RegionFactory(), ThemeFactory()
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        ArticleFactory(regions=[region], themes=[theme], publish_at=start + timedelta(seconds=60))
        assert _cells() == {}

        clock.shift(timedelta(seconds=30))
        assert _cells() == {}

        clock.shift(timedelta(seconds=31))
        assert _cells() == {(region.pk, theme.pk): 1}


def test_a_cache_hit_is_a_single_cache_read(page_cache, reader, monkeypatch):
    article = ArticleFactory()
    reader.get(article.get_absolute_url())
    reads = []
    real_get = caching.cache.get
    monkeypatch.setattr(caching.cache, "get", lambda *a, **k: reads.append(a) or real_get(*a, **k))

    assert reader.get(article.get_absolute_url())["X-Cache"] == "HIT"
    assert len(reads) == 1


def test_another_process_bump_reaches_this_one_within_a_second(page_cache, reader, monkeypatch):
    article = ArticleFactory(title="Before the summit")
    now = [1000.0]
    monkeypatch.setattr(caching.time, "monotonic", lambda: now[0])
    assert reader.get(article.get_absolute_url())["X-Cache"] == "MISS"

    Article.objects.filter(pk=article.pk).update(title="After the summit")
    caching.cache.incr(caching.GENERATION_KEY)  # as another worker's `_bump_now` does
    now[0] += 0.5
    assert reader.get(article.get_absolute_url())["X-Cache"] == "HIT"

    now[0] += 0.6
    fresh = reader.get(article.get_absolute_url())
    assert fresh["X-Cache"] == "MISS"
    assert b"After the summit" in fresh.content


def test_per_generation_values_are_read_from_the_shared_cache_once_per_process(
    page_cache, monkeypatch, django_capture_on_commit_callbacks
):
    computed = []
    caching.per_generation("probe", lambda: computed.append(1) or len(computed))
    reads = []
    real_get = caching.cache.get
    monkeypatch.setattr(caching.cache, "get", lambda *a, **k: reads.append(a) or real_get(*a, **k))
    assert caching.per_generation("probe", lambda: computed.append(1) or len(computed)) == 1
    assert reads == [] and computed == [1]
    with django_capture_on_commit_callbacks(execute=True):
        caching.bump_generation()
    assert caching.per_generation("probe", lambda: computed.append(1) or len(computed)) == 2
