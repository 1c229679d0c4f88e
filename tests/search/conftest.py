from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import ArticleFactory, SectionFactory


@pytest.fixture
def publish():
    """Create an article with sections, then derive its search vectors as every save path does."""

    def make(title="Untitled piece", sections=(), days_ago=10, **kwargs):
        kwargs.setdefault("publish_at", timezone.now() - timedelta(days=days_ago))
        article = ArticleFactory(title=title, **kwargs)
        for position, (heading, body) in enumerate(sections):
            SectionFactory(article=article, position=position, heading=heading, body=body)
        article.refresh_derived()
        return article

    return make
