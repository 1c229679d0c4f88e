"""Region and theme hubs (apps/regions/hubs.py): the breakdown and "sections elsewhere", written
in Python, and what they cost."""

import re

import pytest

from apps.articles.models import Article
from apps.regions import hubs
from tests.factories import SectionFactory

from .conftest import publish

pytestmark = pytest.mark.django_db


def tagged_section(article: Article, heading: str, regions=(), themes=()) -> None:
    section = SectionFactory(article=article, heading=heading, position=9)
    section.regions.set(regions)
    section.themes.set(themes)


@pytest.fixture
def elsewhere(japan, korea, trade, security):
    """Sections on Japan inside pieces about Korea, newest first, and ones never listed."""
    found = []
    for i in range(5):
        piece = publish(
            title=f"Korea piece {i}", regions=[korea], themes=[security], days_ago=i + 1
        )
        tagged_section(piece, f"Japan angle {i}", regions=[japan], themes=[trade])
        found.append(f"Japan angle {i}")
    on_japan = publish(title="Japan piece", regions=[japan], days_ago=0.5)
    tagged_section(on_japan, "Japan inside a Japan piece", regions=[japan])
    draft = publish(
        title="Draft", regions=[korea], status=Article.Status.DRAFT, publish_at=None, sections=0
    )
    tagged_section(draft, "Japan in a draft", regions=[japan])
    scheduled = publish(title="Scheduled", regions=[korea], days_ago=-1, sections=0)
    tagged_section(scheduled, "Japan in a scheduled piece", regions=[japan])
    return found


@pytest.mark.parametrize("limit", [8, 3])
def test_sections_elsewhere_are_the_newest_in_pieces_not_on_the_term_in_one_query(
    elsewhere, japan, limit, django_assert_num_queries
):
    with django_assert_num_queries(1):
        found = hubs.sections_elsewhere("regions", japan, limit=limit)
    assert [s.heading for s in found] == elsewhere[:limit]
    assert found[0].url == f"/articles/{found[0].article_slug}/#{found[0].anchor}"
    assert found[0].article_title == "Korea piece 0"


def test_theme_hub_lists_its_sections_elsewhere(client, elsewhere, trade):
    html = client.get("/themes/trade/").content.decode()
    listed = re.search(r'<section class="elsewhere".*?</section>', html, re.S)[0]
    assert re.findall(r"Japan angle \d", listed) == elsewhere
    assert "Trade inside other analysis" in listed


def test_hub_lists_escape_every_text(client, japan, korea, trade):
    piece = publish(title='Korea & "Japan" <i>', regions=[korea], themes=[trade])
    tagged_section(piece, "Japan <script>", regions=[japan])
    html = client.get("/regions/japan/").content.decode()
    assert (
        f'<li><a href="{piece.get_absolute_url()}#japan-script">Japan &lt;script&gt;</a> '
        '<span class="link-list__meta">in Korea &amp; &quot;Japan&quot; &lt;i&gt;</span></li>'
    ) in html
    html = client.get("/themes/trade/").content.decode()
    breakdown = re.search(r'<section class="breakdown".*?</section>', html, re.S)[0]
    assert (
        '<li><a href="/regions/south-korea/trade/"><span class="breakdown__name">South Korea'
        '</span> <span class="breakdown__count">1</span></a>\n          <span class="breakdown'
        f'__latest">Latest: <a href="{piece.get_absolute_url()}">Korea &amp; &quot;Japan&quot; '
        "&lt;i&gt;</a></span></li>"
    ) in breakdown
    assert "<script>" not in html and "<i>" not in html


@pytest.mark.parametrize("url", ["/regions/japan/", "/themes/trade/"])
def test_a_hub_costs_five_queries_with_nothing_cached(
    client, elsewhere, url, japan, trade, django_assert_num_queries
):
    publish(title="On Japan and trade", regions=[japan], themes=[trade])
    client.get(url)  # store the cards
    # The vocabulary, the page of ids, their cards, the coverage matrix, sections elsewhere.
    with django_assert_num_queries(5):
        client.get(url)
