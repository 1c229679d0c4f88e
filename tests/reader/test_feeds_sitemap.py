"""Feeds parse cleanly with full metadata; the sitemap is valid against the 0.9 schema."""

from pathlib import Path

import feedparser
import pytest
from lxml import etree

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


def test_sitemap_is_valid_against_the_sitemaps_schema(client, articles):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    document = etree.fromstring(response.content)
    SCHEMA.assertValid(document)


def test_sitemap_lists_every_published_article_and_hub_on_the_canonical_host(client, articles):
    document = etree.fromstring(client.get("/sitemap.xml").content)
    locations = set(document.xpath("//sm:loc/text()", namespaces=NS))
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


def test_sitemap_with_no_articles_is_still_valid(client):
    SCHEMA.assertValid(etree.fromstring(client.get("/sitemap.xml").content))
