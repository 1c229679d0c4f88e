from datetime import timedelta

import pytest
from django.utils import timezone

from apps.articles.models import Article
from apps.regions.models import Region, Theme
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    RegionFactory,
    SectionFactory,
    ThemeFactory,
)

# get_or_create on the slug: the seeded rows when present, made here when a transactional
# test before this one has flushed the seed data.


@pytest.fixture
def japan() -> Region:
    return RegionFactory(slug="japan", name="Japan", order=20)


@pytest.fixture
def korea() -> Region:
    return RegionFactory(slug="south-korea", name="South Korea", order=30)


@pytest.fixture
def trade() -> Theme:
    return ThemeFactory(slug="trade", name="Trade", order=20)


@pytest.fixture
def security() -> Theme:
    return ThemeFactory(slug="security", name="Security", order=10)


def publish(*, sections: int = 2, days_ago: float = 1, **fields) -> Article:
    """A published article with sections, derived data refreshed as every save path does."""
    fields.setdefault("publish_at", timezone.now() - timedelta(days=days_ago))
    article = ArticleFactory(**fields)
    for position in range(sections):
        SectionFactory(article=article, position=position)
    article.refresh_derived()
    return article


UNPUBLISHED_STATES = {
    "draft": {"status": Article.Status.DRAFT, "publish_at": None},
    "in review": {"status": Article.Status.REVIEW, "publish_at": None},
    "scheduled": {"status": Article.Status.PUBLISHED, "days_ago": -2},
    "unpublished": {"status": Article.Status.UNPUBLISHED, "days_ago": 3},
}


@pytest.fixture
def world(japan, korea, trade, security):
    """Build `n` published articles with `tags` tags each, all sharing regions and themes."""

    def build(n: int, tags: int) -> list[Article]:
        author = AuthorFactory()
        articles = []
        for i in range(n):
            article = publish(
                title=f"Piece {i}",
                days_ago=i + 1,
                regions=[japan, korea],
                themes=[trade, security],
                tags=[f"tag-{t}" for t in range(tags)],
                authors=[author],
                featured=i == 0,
            )
            section = article.sections.first()
            section.regions.set([korea])
            section.themes.set([trade])
            articles.append(article)
        # Links between articles, so that "Referenced by" has rows.
        for article in articles[1:]:
            first = article.sections.first()
            first.body = f"See [the first piece](/articles/{articles[0].slug}/)."
            first.save()
            article.refresh_derived()
        return articles

    return build
