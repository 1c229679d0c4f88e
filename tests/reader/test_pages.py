"""Every public page answers, stays within ten queries, and costs the same however much
content there is; bad input is a 404, never a 500."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.articles import nearby

pytestmark = pytest.mark.django_db

MAX_QUERIES = 10


def page_urls(articles) -> dict[str, str]:
    article = articles[0]
    author = article.bylines.first().author
    return {
        "home": "/",
        "article": article.get_absolute_url(),
        "citing article": articles[-1].get_absolute_url(),
        "regions": "/regions/",
        "region": "/regions/japan/",
        "intersection": "/regions/japan/trade/",
        "themes": "/themes/",
        "theme": "/themes/trade/",
        "tag": "/tags/tag-0/",
        "author": author.get_absolute_url(),
        "format": "/formats/analysis/",
        "site feed": "/feed/",
        "site atom": "/feed/atom/",
        "region feed": "/regions/japan/feed/",
        "region atom": "/regions/japan/feed/atom/",
        "intersection feed": "/regions/japan/trade/feed/",
        "intersection atom": "/regions/japan/trade/feed/atom/",
        "theme feed": "/themes/trade/feed/",
        "theme atom": "/themes/trade/feed/atom/",
        "tag feed": "/tags/tag-0/feed/",
        "tag atom": "/tags/tag-0/feed/atom/",
        "author feed": f"{author.get_absolute_url()}feed/",
        "author atom": f"{author.get_absolute_url()}feed/atom/",
        "format feed": "/formats/analysis/feed/",
        "format atom": "/formats/analysis/feed/atom/",
        "sitemap": "/sitemap.xml",
        "robots": "/robots.txt",
    }


def measure(client, urls: dict[str, str]) -> dict[str, int]:
    counts = {}
    for name, url in urls.items():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, f"{name} {url}: {response.status_code}"
        counts[name] = len(queries)
    return counts


def test_every_public_page_costs_at_most_ten_queries_and_the_same_for_more_tags(client, world):
    few = measure(client, page_urls(world(3, tags=1)))
    assert max(few.values()) <= MAX_QUERIES, few


@pytest.mark.parametrize(
    ("small", "large"), [((3, 1), (3, 20)), ((3, 1), (60, 1))], ids=["tags", "articles"]
)
def test_query_counts_do_not_grow_with_tags_or_articles(client, world, small, large):
    few = measure(client, page_urls(world(*small)))
    from apps.articles.models import Article, Author

    Article.objects.all().delete()
    Author.objects.all().delete()
    urls = page_urls(world(*large))
    # The first article built has seen every later one published since its lists of other
    # articles were stored. More than `nearby.CHANGED_LIMIT` of them: its first request finds
    # the lists afresh and stores them again (three queries more: tests/reader/test_nearby.py);
    # then it costs what it cost with three articles.
    refreshing = measure(client, {"article": urls["article"]})["article"]
    assert refreshing == few["article"] + (3 if large[0] - 1 > nearby.CHANGED_LIMIT else 0)
    many = measure(client, urls)
    assert few == many
    assert max(many.values()) <= MAX_QUERIES, many


@pytest.mark.parametrize(
    "url",
    [
        "/articles/no-such-piece/",
        "/regions/atlantis/",
        "/regions/japan/no-such-theme/",
        "/regions/atlantis/trade/",
        "/themes/astrology/",
        "/tags/never-used/",
        "/authors/nobody/",
        "/formats/poem/",
        "/regions/atlantis/feed/",
        "/regions/japan/astrology/feed/atom/",
        "/themes/astrology/feed/",
        "/tags/never-used/feed/",
        "/authors/nobody/feed/atom/",
        "/formats/poem/feed/",
    ],
)
def test_unknown_slugs_are_404(client, url):
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "page", ["0", "-1", "x", "1.5", "2", "51", "99999999999999999999", "1\x00", "", " "]
)
def test_a_page_that_is_not_a_positive_integer_within_range_is_404(client, world, page):
    world(3, tags=1)
    status = client.get("/regions/japan/", {"page": page}).status_code
    assert status == (200 if page == "" else 404)


def test_second_page_exists_when_there_is_content_for_it(client, world, settings):
    settings.SITE_URL = "https://meridian.example"
    world(21, tags=1)
    html = client.get("/themes/trade/", {"page": "2"}).content.decode()
    assert 'rel="prev" href="/themes/trade/"' in html
    assert '<link rel="canonical" href="https://meridian.example/themes/trade/?page=2">' in html
    assert client.get("/themes/trade/", {"page": "3"}).status_code == 404


def test_listings_count_nothing_and_read_one_row_more_than_a_page(client, world):
    from apps.articles import paging

    world(3, tags=1)
    with CaptureQueriesContext(connection) as queries:
        client.get("/regions/japan/")
    assert not [q for q in queries if "COUNT(" in q["sql"] and "articles_article" in q["sql"]]
    assert [q for q in queries if f"LIMIT {paging.PER_PAGE + 1}" in q["sql"]]


def test_the_last_allowed_page_links_to_no_older_one(client, world, monkeypatch):
    from apps.articles import paging

    monkeypatch.setattr(paging, "MAX_PAGES", 2)
    monkeypatch.setattr(paging, "PER_PAGE", 1)
    monkeypatch.setattr(paging.PageForm.base_fields["page"], "max_value", 2)
    world(3, tags=1)
    first = client.get("/themes/trade/").content.decode()
    assert 'rel="next"' in first and "Page 1" in first
    last = client.get("/themes/trade/", {"page": "2"}).content.decode()
    assert 'rel="next"' not in last and 'rel="prev"' in last


def test_public_pages_set_no_cookies_and_contain_no_inline_scripts_or_styles(client, world):
    for name, url in page_urls(world(3, tags=2)).items():
        response = client.get(url)
        assert not response.cookies, f"{name} sets cookies"
        if "html" not in response["Content-Type"]:
            continue
        html = response.content.decode()
        # Template syntax that reached the reader: a `{# #}` comment spans one line only.
        assert "{#" not in html and "{%" not in html, name
        assert " style=" not in html and "<style" not in html, name
        for script in re.findall(r"<script\b[^>]*>", html):
            assert 'type="application/ld+json"' in script or "src=" in script, (name, script)
        for asset in re.findall(r'(?:src|href)="([^"]+\.(?:css|js|woff2?|svg))"', html):
            assert asset.startswith("/static/"), (name, asset)


def test_header_has_navigation_and_a_search_form(client):
    html = client.get("/").content.decode()
    assert 'href="/regions/"' in html and 'href="/themes/"' in html
    assert re.search(r'<form action="/search/" method="get"', html)
    assert 'name="q"' in html
    assert 'class="skip-link" href="#main"' in html
    assert '<main id="main"' in html


def test_robots_txt_points_at_the_sitemap(client, settings):
    settings.SITE_URL = "https://meridian.example"
    body = client.get("/robots.txt").content.decode()
    assert "Sitemap: https://meridian.example/sitemap.xml" in body
    assert "Disallow: /admin/" in body
