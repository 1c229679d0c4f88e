import pytest

from apps.media.demo import DEMO_IMAGES, load_demo_images
from apps.media.models import Image, Rendition
from tests.factories import ArticleFactory, ImageFactory

pytestmark = pytest.mark.django_db


def test_demo_images_are_drawn_once_described_and_attached_by_slug():
    chosen = ArticleFactory(slug="straits")
    kept = ArticleFactory(slug="has-one", hero_image=ImageFactory(title="Editor's pick"))

    images = load_demo_images({"straits": "korea-strait-map", "has-one": "trade-index-chart",
                               "not-in-the-database": "northeast-asia-map"})  # fmt: skip

    assert set(images) == set(DEMO_IMAGES)
    for image in images.values():
        assert image.alt_text and image.credit and image.caption
        assert image.width == 1600 and image.format == "PNG"
    chosen.refresh_from_db()
    kept.refresh_from_db()
    assert chosen.hero_image == images["korea-strait-map"]
    assert kept.hero_image.title == "Editor's pick"

    counts = Image.objects.count(), Rendition.objects.count()
    again = load_demo_images({"straits": "taiwan-strait-map"})
    assert (Image.objects.count(), Rendition.objects.count()) == counts
    assert {k: i.pk for k, i in again.items()} == {k: i.pk for k, i in images.items()}
    chosen.refresh_from_db()
    assert chosen.hero_image == images["korea-strait-map"]
