from datetime import timedelta

import factory
from django.utils import timezone

from apps.articles.models import Article, Author, Byline, Format, Section
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
