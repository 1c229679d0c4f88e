"""The corpus builder empties article tables: it refuses databases that may hold real content."""

import pytest

from bench import corpus
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_the_builder_refuses_a_database_without_bench_in_its_name(monkeypatch):
    monkeypatch.setattr(corpus, "database_name", lambda: "meridian")
    with pytest.raises(corpus.CorpusError, match="refusing"):
        corpus.check_target(force=False)


def test_the_builder_refuses_articles_it_did_not_create(monkeypatch):
    # Whatever the test database is called, pass the name check to reach the content check.
    monkeypatch.setattr(corpus, "database_name", lambda: "meridian_bench")
    ArticleFactory()
    with pytest.raises(corpus.CorpusError, match="did not create"):
        corpus.check_target(force=False)
