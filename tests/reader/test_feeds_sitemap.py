"""Feeds parse cleanly with full metadata; the sitemap is valid against the 0.9 schema."""

from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import pytest
from lxml import etree

from apps.articles.sitemaps import ArticleSitemap
from tests.factories import AuthorFactory

from .conftest import publish

pytestmark = pytest.mark.django_db

SCHEMA = etree.XMLSchema(etree.parse(str(Path(__file__).parent / "schemas" / "sitemap.xsd")))
NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


@pytest.fixture
def articles(japan, trade, security, settings):
    settings.SITE_URL = "https://meridian.example"
    author = AuthorFactory(name="Hana Sato", slug="hana-sato")
    first = publish(
        title="Tariffs & alliances <in> Japan",
        slug="tariffs",
        regions=[japan],
        themes=[trade],
        tags=["tariffs"],
        authors=[author],
        days_ago=2,
    )
    second = publish(
        title="Deterrence", slug="deterrence", regions=[japan], themes=[security], days_ago=1
    )
    return first, second


FEEDS = [
    "/feed/",
    "/regions/japan/feed/",
    "/regions/japan/trade/feed/",
    "/themes/trade/feed/",
    "/tags/tariffs/feed/",
    "/authors/hana-sato/feed/",
    "/formats/analysis/feed/",
]


@pytest.mark.parametrize("kind", ["rss", "atom"])
@pytest.mark.parametrize("path", FEEDS)
def test_every_feed_parses_cleanly_with_authors_categories_and_dates(client, articles, path, kind):
    url = path if kind == "rss" else f"{path}atom/"
    response = client.get(url)
    assert response.status_code == 200
    parsed = feedparser.parse(response.content)
    assert parsed.bozo is False, parsed.get("bozo_exception")
    assert parsed.version == ("rss20" if kind == "rss" else "atom10")
    entry = next(e for e in parsed.entries if e.link.endswith("/articles/tariffs/"))
    assert entry.title == "Tariffs & alliances <in> Japan"
    assert entry.link == "https://meridian.example/articles/tariffs/"
    assert entry.id == "https://meridian.example/articles/tariffs/"
    assert entry.author == "Hana Sato" or entry.author.startswith("Hana Sato")
    terms = {t.term for t in entry.tags}
    assert {"Japan", "Trade", "tariffs", "Analysis"} <= terms
    assert entry.published_parsed is not None
    if kind == "atom":
        assert entry.get("updated_parsed") is not None


def test_listing_feeds_hold_only_their_listing(client, articles):
    parsed = feedparser.parse(client.get("/themes/trade/feed/").content)
    assert [e.link.rsplit("/", 2)[-2] for e in parsed.entries] == ["tariffs"]
    parsed = feedparser.parse(client.get("/feed/").content)
    assert [e.link.rsplit("/", 2)[-2] for e in parsed.entries] == ["deterrence", "tariffs"]


def sections(client) -> list[str]:
    """The section URLs /sitemap.xml (the index) lists, on the host they name."""
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    index = etree.fromstring(response.content)
    assert index.tag == f"{{{NS['sm']}}}sitemapindex"
    assert [child.tag for child in index] == [f"{{{NS['sm']}}}sitemap"] * len(index)
    return index.xpath("sm:sitemap/sm:loc/text()", namespaces=NS)


def section(client, url: str) -> etree._Element:
    parts = urlsplit(url)
    response = client.get(f"{parts.path}?{parts.query}" if parts.query else parts.path)
    assert response.status_code == 200, url
    return etree.fromstring(response.content)


def test_sitemap_is_an_index_of_sections_valid_against_the_sitemaps_schema(client, articles):
    urls = sections(client)
    assert urls == [
        "https://meridian.example/sitemap-pages.xml",
        "https://meridian.example/sitemap-articles.xml",
        "https://meridian.example/sitemap-hubs.xml",
    ]
    for url in urls:
        SCHEMA.assertValid(section(client, url))


def test_sitemap_lists_every_published_article_and_hub_on_the_canonical_host(client, articles):
    locations = set()
    for url in sections(client):
        locations |= set(section(client, url).xpath("//sm:loc/text()", namespaces=NS))
    site = "https://meridian.example"
    expected = {
        "/",
        "/regions/",
        "/themes/",
        "/articles/tariffs/",
        "/articles/deterrence/",
        "/regions/japan/",
        "/themes/trade/",
        "/themes/security/",
        "/regions/japan/trade/",
        "/regions/japan/security/",
        "/tags/tariffs/",
        "/authors/hana-sato/",
        "/formats/analysis/",
    }
    assert locations == {site + path for path in expected}


def test_articles_come_in_pages_so_every_sitemap_response_stays_small(
    client, articles, monkeypatch
):
    monkeypatch.setattr(ArticleSitemap, "limit", 1)
    urls = [u for u in sections(client) if "articles" in u]
    assert urls == [
        "https://meridian.example/sitemap-articles.xml",
        "https://meridian.example/sitemap-articles.xml?p=2",
    ]
    pages = [section(client, url).xpath("//sm:loc/text()", namespaces=NS) for url in urls]
    assert pages == [
        ["https://meridian.example/articles/deterrence/"],
        ["https://meridian.example/articles/tariffs/"],
    ]
    assert client.get("/sitemap-articles.xml?p=3").status_code == 404
    assert client.get("/sitemap-articles.xml?p=x").status_code == 404
    assert client.get("/sitemap-nothing.xml").status_code == 404


def test_the_index_dates_the_articles_section_by_its_latest_change(client, articles):
    index = etree.fromstring(client.get("/sitemap.xml").content)
    lastmod = index.xpath("sm:sitemap[2]/sm:lastmod/text()", namespaces=NS)
    newest = max(a.publish_at for a in articles)
    assert [datetime.fromisoformat(d) for d in lastmod] == [newest]


def test_sitemap_with_no_articles_is_still_valid(client):
    urls = sections(client)
    assert [urlsplit(u).path for u in urls] == ["/sitemap-pages.xml"]
    SCHEMA.assertValid(section(client, urls[0]))
    assert client.get("/sitemap-articles.xml").status_code == 404
