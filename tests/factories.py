import io
from datetime import timedelta

import factory
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image as PILImage

from apps.articles.models import Article, Author, Byline, Format, Section
from apps.media.models import Image
from apps.regions.models import Region, Theme


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Region {n}")
    slug = factory.Sequence(lambda n: f"region-{n}")


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Theme {n}")
    slug = factory.Sequence(lambda n: f"theme-{n}")


class FormatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Format
        django_get_or_create = ["slug"]

    name = "Analysis"
    slug = "analysis"


class AuthorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Author

    name = factory.Sequence(lambda n: f"Author {n}")
    slug = factory.Sequence(lambda n: f"author-{n}")
    role = "Fellow"


class ArticleFactory(factory.django.DjangoModelFactory):
    """A published article by default; pass status/publish_at for other states."""

    class Meta:
        model = Article
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Analysis number {n}")
    dek = "A short standfirst."
    format = factory.SubFactory(FormatFactory)
    status = Article.Status.PUBLISHED
    publish_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    takeaways = factory.LazyFunction(lambda: ["First point", "Second point"])

    @factory.post_generation
    def regions(self, create, extracted, **kwargs):
        if create and extracted:
            self.regions.set(extracted)

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        if create and extracted:
            self.themes.set(extracted)

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.set(extracted)

    @factory.post_generation
    def authors(self, create, extracted, **kwargs):
        if create and extracted:
            for position, author in enumerate(extracted):
                Byline.objects.create(article=self, author=author, position=position)


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    article = factory.SubFactory(ArticleFactory)
    position = factory.Sequence(int)
    heading = factory.Sequence(lambda n: f"Section heading {n}")
    body = "Some *Markdown* text."


def image_bytes(
    fmt: str = "PNG", size: tuple[int, int] = (1600, 900), color=(40, 90, 160)
) -> bytes:
    """An image file drawn by Pillow, for uploads in tests."""
    buffer = io.BytesIO()
    PILImage.new("RGB", size, color).save(buffer, format=fmt)
    return buffer.getvalue()


class ImageFactory(factory.django.DjangoModelFactory):
    """A library image made through the upload path (checked, cleaned, with renditions).

    Pass `size=(w, h)` or `fmt="JPEG"` for another drawing, or `file=` for given bytes.
    """

    class Meta:
        model = Image

    title = factory.Sequence(lambda n: f"Chart {n}")
    alt_text = "Bar chart: defence spending rising steadily over ten years."
    credit = "Chart: Meridian"

    @staticmethod
    def build_file(size=(1000, 500), fmt="PNG") -> ContentFile:
        return ContentFile(image_bytes(fmt, size), name=f"upload.{fmt.lower()}")

    @classmethod
    def _create(cls, model_class, *args, size=(1000, 500), fmt="PNG", file=None, **kwargs):
        file = file or cls.build_file(size, fmt)
        return model_class.objects.create_from_file(file, **kwargs)
