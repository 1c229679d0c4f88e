"""Deleting images in use, the pre-publish alt-text check."""

import pytest
from django.db.models import ProtectedError

from apps.media.models import Image
from apps.media.validation import missing_alt_text
from tests.factories import ArticleFactory, AuthorFactory, ImageFactory, SectionFactory

pytestmark = pytest.mark.django_db


def test_image_in_use_cannot_be_deleted_and_says_where_it_is_used():
    image = ImageFactory()
    ArticleFactory(title="Alliance under pressure", hero_image=image)
    AuthorFactory(name="Mina Park", photo=image)
    SectionFactory(
        heading="Shipping lanes",
        article=ArticleFactory(title="Straits and trade"),
        body=f"![](image:{image.pk})",
    )

    with pytest.raises(ProtectedError):
        image.delete()

    assert Image.objects.filter(pk=image.pk).exists()
    assert image.usages() == [
        "Hero image of the article “Alliance under pressure”",
        "Photo of the author Mina Park",
        "Inline in the section “Shipping lanes” of “Straits and trade”",
    ]


def test_unused_image_is_deleted_with_its_files_once_committed(
    media_storage, django_capture_on_commit_callbacks
):
    image = ImageFactory()
    names = [image.file.name, *image.renditions.values_list("file", flat=True)]
    assert len(names) == 8 and all(media_storage.exists(n) for n in names)

    with django_capture_on_commit_callbacks(execute=True):
        image.delete()

    assert not Image.objects.filter(pk=image.pk).exists()
    assert not any(media_storage.exists(n) for n in names)


def test_image_placed_inline_becomes_deletable_when_the_section_no_longer_places_it():
    image = ImageFactory()
    section = SectionFactory(body=f"![](image:{image.pk})")
    with pytest.raises(ProtectedError):
        Image.objects.get(pk=image.pk).delete()
    section.body = "No image any more."
    section.save()
    Image.objects.get(pk=image.pk).delete()
    assert not Image.objects.filter(pk=image.pk).exists()


def test_missing_alt_text_lists_undescribed_images_the_article_shows():
    undescribed_hero = Image.objects.create_from_file(
        ImageFactory.build_file(), title="Imported hero", alt_text=""
    )
    undescribed_inline = Image.objects.create_from_file(
        ImageFactory.build_file(), title="Imported chart", alt_text=""
    )
    described_in_place = Image.objects.create_from_file(
        ImageFactory.build_file(), title="Imported map", alt_text=""
    )
    decorative = ImageFactory(alt_text="", decorative=True)
    described = ImageFactory()
    article = ArticleFactory(hero_image=undescribed_hero)
    SectionFactory(
        article=article,
        body=(
            f"![](image:{undescribed_inline.pk})\n\n"
            f"![The Sea of Japan and its neighbours](image:{described_in_place.pk})\n\n"
            f"![](image:{decorative.pk})\n\n![](image:{described.pk})"
        ),
    )
    ArticleFactory(hero_image=ImageFactory.create(alt_text="", decorative=True))

    assert missing_alt_text(article) == [undescribed_hero, undescribed_inline]


def test_missing_alt_text_of_a_described_article_is_empty(django_assert_num_queries):
    article = ArticleFactory(hero_image=ImageFactory())
    SectionFactory(article=article, body=f"![](image:{ImageFactory().pk})")
    with django_assert_num_queries(1):
        assert missing_alt_text(article) == []
