"""Drafts never leak: an article that is a draft, in review, scheduled or unpublished appears
on no public channel, and its URL is a 404 like an unknown slug."""

import pytest

from apps.regions.coverage import coverage_cells
from tests.factories import AuthorFactory, SectionFactory

from .conftest import UNPUBLISHED_STATES, publish

pytestmark = pytest.mark.django_db


@pytest.fixture(params=sorted(UNPUBLISHED_STATES))
def hidden_and_visible(request, japan, korea, trade, security):
    author = AuthorFactory(slug="shared-author")
    visible = publish(
        title="Visible piece",
        slug="visible-piece",
        regions=[japan],
        themes=[trade],
        tags=["shared"],
        authors=[author],
        days_ago=10,
    )
    state = dict(UNPUBLISHED_STATES[request.param])
    days_ago = state.pop("days_ago", 1)
    hidden = publish(
        title="Hidden piece",
        slug="hidden-piece",
        regions=[japan, korea],
        themes=[trade, security],
        tags=["shared", "hidden-only"],
        authors=[author],
        featured=True,
        days_ago=days_ago,
        **state,
    )
    # The hidden piece cites the visible one and has a section on a theme it is not about.
    section = SectionFactory(
        article=hidden, heading="Hidden section", body="[see](/articles/visible-piece/)"
    )
    section.themes.set([security])
    section.regions.set([korea])
    hidden.refresh_derived()
    assert hidden.links_out.filter(target=visible).exists()
    return hidden, visible


CHANNELS = [
    "/",
    "/articles/visible-piece/",
    "/regions/",
    "/regions/japan/",
    "/regions/south-korea/",
    "/regions/japan/trade/",
    "/regions/japan/security/",
    "/themes/",
    "/themes/trade/",
    "/themes/security/",
    "/tags/shared/",
    "/authors/shared-author/",
    "/formats/analysis/",
    "/feed/",
    "/feed/atom/",
    "/regions/japan/feed/",
    "/regions/japan/feed/atom/",
    "/regions/japan/trade/feed/",
    "/regions/japan/trade/feed/atom/",
    "/themes/trade/feed/",
    "/themes/security/feed/atom/",
    "/tags/shared/feed/",
    "/tags/shared/feed/atom/",
    "/authors/shared-author/feed/",
    "/formats/analysis/feed/atom/",
    "/sitemap.xml",
]


@pytest.mark.parametrize("url", CHANNELS)
def test_unpublished_article_appears_on_no_public_channel(client, hidden_and_visible, url):
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Hidden piece" not in body
    assert "hidden-piece" not in body
    assert "Hidden section" not in body
    assert "hidden-only" not in body


@pytest.mark.parametrize(
    "url",
    [
        "/articles/hidden-piece/",
        "/tags/hidden-only/",
        "/tags/hidden-only/feed/",
        "/tags/hidden-only/feed/atom/",
    ],
)
def test_unpublished_article_and_its_own_tags_are_404(client, hidden_and_visible, url):
    assert client.get(url).status_code == 404


def test_counts_and_the_coverage_matrix_count_only_published(
    client, hidden_and_visible, japan, korea, trade, security
):
    cells = coverage_cells()
    assert {(c.region_id, c.theme_id): c.count for c in cells.values()} == {(japan.pk, trade.pk): 1}
    themes = client.get("/themes/").content.decode()
    assert "1 piece," in themes
    regions = client.get("/regions/").content.decode()
    korea_entry = regions.split('href="/regions/south-korea/">South Korea</a>')[1]
    assert korea_entry.split("</p>")[0].endswith("0 pieces")


def test_visible_article_shows_no_unpublished_citing_or_related_piece(client, hidden_and_visible):
    response = client.get("/articles/visible-piece/")
    assert response.context["referenced_by"] == []
    assert response.context["related"] == []
    assert response.context["rails"] == {"region": [], "theme": []}


def test_coverage_matrix_cells_link_to_their_intersection_with_the_count(
    client, hidden_and_visible, japan, korea, trade, security
):
    home = client.get("/").content.decode()
    cell = home.split('href="/regions/japan/trade/"')[1].split("</a>")[0]
    assert 'class="matrix__count">1<' in cell
    assert 'href="/regions/south-korea/security/"' not in home
