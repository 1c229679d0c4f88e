import time
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.search import query
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


@pytest.fixture
def no_common_words(monkeypatch):
    """No word is common (`query.likely_common`), whatever the planner's statistics say and
    however long ago this process read them: every search is one statement."""
    monkeypatch.setitem(query._common, "lexemes", frozenset())
    monkeypatch.setitem(query._common, "read_at", time.monotonic())


@pytest.fixture
def prepared_statements(monkeypatch):
    """The (sql, custom_plan) of every statement `query.fetch_prepared` runs, in order."""
    seen = []
    fetch_prepared = query.fetch_prepared

    def spy(sql, params, custom_plan):
        seen.append((sql, custom_plan))
        return fetch_prepared(sql, params, custom_plan)

    monkeypatch.setattr(query, "fetch_prepared", spy)
    return seen
