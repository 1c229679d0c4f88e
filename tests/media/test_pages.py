"""Hero images on the reader's pages: responsive renditions at a fixed number of queries."""

import pytest
from django.urls import reverse

from tests.factories import ArticleFactory, ImageFactory, RegionFactory

pytestmark = pytest.mark.django_db


def test_article_page_shows_its_hero_image_eagerly_and_as_social_card(client, settings):
    settings.SITE_URL = "https://meridian.example"
    image = ImageFactory(
        alt_text="Map of the Korea Strait", caption="The strait.", credit="Map: Meridian"
    )
    article = ArticleFactory(hero_image=image)

    page = client.get(article.get_absolute_url()).content.decode()

    assert '<source type="image/webp" srcset="/media/renditions/' in page
    assert 'alt="Map of the Korea Strait" loading="eager"' in page
    assert "The strait. <small>Map: Meridian</small>" in page
    assert '<meta property="og:image" content="https://meridian.example/media/renditions/' in page
    assert "og-1200x630-50-50.jpg" in page
    assert '<meta name="twitter:card" content="summary_large_image">' in page


def test_article_without_hero_image_has_no_picture_and_no_og_image(client):
    article = ArticleFactory()
    page = client.get(article.get_absolute_url()).content.decode()
    assert "<picture>" not in page
    assert "og:image" not in page


def test_article_page_with_a_hero_image_costs_one_query_more_than_without(
    client, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    plain = ArticleFactory()
    with CaptureQueriesContext(connection) as without:
        client.get(plain.get_absolute_url())
    illustrated = ArticleFactory(hero_image=ImageFactory())
    with django_assert_num_queries(len(without.captured_queries) + 1):  # the renditions
        assert client.get(illustrated.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("page", ["home", "format", "region"])
def test_card_pictures_do_not_add_queries_as_hero_images_grow(
    client, django_assert_num_queries, page
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    region = RegionFactory(slug="japan", name="Japan")

    def publish(n: int) -> None:
        for _ in range(n):
            ArticleFactory(hero_image=ImageFactory(size=(600, 300)), regions=[region])

    url = {
        "home": reverse("articles:home"),
        "format": reverse("articles:format", args=["analysis"]),
        "region": reverse("regions:detail", args=["japan"]),
    }[page]
    publish(2)
    with CaptureQueriesContext(connection) as few:
        first = client.get(url).content.decode()
    publish(3)
    with django_assert_num_queries(len(few.captured_queries)):
        second = client.get(url).content.decode()
    assert first.count("<picture>") >= 2
    assert second.count("<picture>") > first.count("<picture>")
    assert 'class="card__image"' in second or 'class="lead-story__image"' in second
