"""A reader's path through the site in Chromium, with screenshots, axe-core and the Nu checker."""

import urllib.request
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    RegionFactory,
    SectionFactory,
    ThemeFactory,
)

WIDTHS = {"desktop": 1280, "phone": 390}


def _article(title, slug, days_ago, regions, themes, tags, authors, sections, **extra):
    article = ArticleFactory(
        title=title,
        slug=slug,
        dek="How Tokyo and Seoul read Washington's signals, and what they do about them.",
        publish_at=timezone.now() - timedelta(days=days_ago),
        regions=regions,
        themes=themes,
        tags=tags,
        authors=authors,
        **extra,
    )
    for position, (heading, body, section_themes) in enumerate(sections):
        section = SectionFactory(article=article, position=position, heading=heading, body=body)
        section.themes.set(section_themes)
    article.refresh_derived()
    return article


@pytest.fixture
def content():
    # get_or_create by slug: independent of whether the seeded vocabulary survived a flush.
    japan = RegionFactory(slug="japan", name="Japan", order=20)
    korea = RegionFactory(slug="south-korea", name="South Korea", order=30)
    trade = ThemeFactory(slug="trade", name="Trade", order=20)
    security = ThemeFactory(slug="security", name="Security", order=10)
    hana = AuthorFactory(
        name="Hana Sato",
        slug="hana-sato",
        role="Senior Fellow, Japan Studies",
        bio="Hana Sato writes on Japanese economic statecraft and alliance politics.",
    )
    daniel = AuthorFactory(name="Daniel Park", slug="daniel-park", role="Fellow, Korea Program")
    related = _article(
        "Semiconductors and the price of economic security",
        "semiconductors",
        5,
        [japan, korea],
        [trade],
        ["supply chains", "tariffs"],
        [daniel],
        [
            ("Export controls tighten", "Trade rules now follow security lines.", []),
            ("What Seoul can do", "South Korea weighs its options carefully.", []),
        ],
    )
    main = _article(
        "Tokyo's tariff dilemma",
        "tokyos-tariff-dilemma",
        1,
        [japan],
        [trade, security],
        ["tariffs", "alliances"],
        [hana, daniel],
        [
            (
                "A longstanding alliance under new pressure",
                "Japan has relied on the United States for decades. The question of hedging "
                "is now discussed openly in Tokyo, alongside Trade policy.\n\n"
                f"An earlier piece, [on chips](/articles/{related.slug}/), set out the stakes.",
                [],
            ),
            (
                "The North Korea factor",
                "Deterrence on the peninsula shapes every decision in Security policy. " * 8,
                [security],
            ),
            ("Economic and trade dimensions", "Tariffs and supply chains. " * 20, [trade]),
        ],
        featured=True,
    )
    _article(
        "Why alliances hedge quietly",
        "hedge-quietly",
        9,
        [korea],
        [security],
        ["alliances"],
        [hana],
        [("Quiet hedging", "A trade section inside a security piece.", [trade])],
    )
    return {"main": main, "related": related, "author": hana}


def _raw(url: str) -> str:
    with urllib.request.urlopen(url) as response:  # the live server on 127.0.0.1
        return response.read().decode()


def _shoot(page, screenshot, name):
    for label, width in WIDTHS.items():
        screenshot(f"reader-{name}-{label}", width=width)
    page.set_viewport_size({"width": WIDTHS["desktop"], "height": 900})


def test_reader_goes_from_home_to_region_intersection_article_related_and_theme_hub(
    page, site, content, screenshot
):
    page.set_viewport_size({"width": WIDTHS["desktop"], "height": 900})
    page.goto(f"{site}/")
    assert page.locator("h2.lead-story__title").inner_text() == "Tokyo's tariff dilemma"
    _shoot(page, screenshot, "home")

    page.locator(".site-nav").get_by_role("link", name="Regions").click()
    page.wait_for_url(f"{site}/regions/")
    _shoot(page, screenshot, "regions")
    page.locator(".term-grid").get_by_role("link", name="Japan", exact=True).click()
    page.wait_for_url(f"{site}/regions/japan/")
    assert page.locator("h1").inner_text() == "Japan"
    _shoot(page, screenshot, "region")

    page.locator(".breakdown").get_by_role("link", name="Trade").first.click()
    page.wait_for_url(f"{site}/regions/japan/trade/")
    assert "Trade" in page.locator("h1").inner_text()
    _shoot(page, screenshot, "intersection")

    page.get_by_role("link", name="Tokyo's tariff dilemma").first.click()
    page.wait_for_url(f"{site}/articles/tokyos-tariff-dilemma/")
    _shoot(page, screenshot, "article")

    page.locator(".toc").get_by_role("link", name="The North Korea factor").click()
    page.wait_for_url(f"{site}/articles/tokyos-tariff-dilemma/#the-north-korea-factor")
    heading = page.locator("#the-north-korea-factor h2")
    assert heading.is_visible()
    box = heading.bounding_box()
    assert box is not None and 0 <= box["y"] < 900

    # The access date in "Cite this" is set by the self-hosted script to the reader's day.
    page.locator("details.cite summary").click()
    assert page.locator(".access-date[data-style=iso]").first.inner_text() == (
        timezone.localdate().isoformat()
    )

    page.locator(".related").get_by_role("link", name=content["related"].title).click()
    page.wait_for_url(f"{site}/articles/semiconductors/")
    assert page.locator("h1").inner_text() == content["related"].title
    assert page.locator(".referenced-by").get_by_role("link", name="Tokyo's tariff dilemma")

    page.locator(".article__header .chips").get_by_role("link", name="Trade").click()
    page.wait_for_url(f"{site}/themes/trade/")
    elsewhere = page.locator(".elsewhere")
    assert elsewhere.get_by_role("link", name="Quiet hedging").count() == 1
    _shoot(page, screenshot, "theme")


def test_phone_width_has_no_horizontal_scroll(page, site, content):
    page.set_viewport_size({"width": 360, "height": 800})
    for path in ["/", "/regions/", "/regions/japan/", "/articles/tokyos-tariff-dilemma/"]:
        page.goto(f"{site}{path}")
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at 360px"


def test_skip_link_and_focus_are_visible_to_keyboard_users(page, site, content):
    page.goto(f"{site}/articles/tokyos-tariff-dilemma/")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    assert skip.evaluate("el => el === document.activeElement")
    box = skip.bounding_box()
    assert box is not None and box["y"] >= 0
    outline = skip.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline != "none"


def test_reader_pages_pass_axe_and_the_nu_html_checker(
    page, site, content, assert_accessible, assert_valid_html
):
    pages = {
        "home": "/",
        "region": "/regions/japan/",
        "intersection": "/regions/japan/trade/",
        "article": "/articles/tokyos-tariff-dilemma/",
        "author": "/authors/hana-sato/",
        "regions": "/regions/",
        "theme": "/themes/trade/",
        "search": "/search/?q=tariff&region=japan",
        "search-empty": "/search/?q=zzzqqq",
    }
    documents = {}
    for name, path in pages.items():
        page.goto(f"{site}{path}")
        assert_accessible(name)
        documents[f"reader-{name}"] = _raw(f"{site}{path}")
    assert_valid_html(documents)
