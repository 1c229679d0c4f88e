"""`query.search_text`: the reader's words parsed inside the search statement give what
`prepare()` then `search()` give, in one statement; a common word still takes the two steps."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.regions.models import Region
from apps.search import query
from tests.factories import AuthorFactory, RegionFactory, ThemeFactory

pytestmark = pytest.mark.django_db

QUERIES = [
    "deterrence",
    "Deterrence",
    "deterrent",
    "extended deterrence",
    '"extended deterrence"',
    "deterrence -summit",
    '-"extended deterrence" deterrence',
    "deterrence or tariffs",
    "tariffs or",
    '"unbalanced quote',
    "the and of",
    "-deterrence",
    "co-operation",
    "Seoul's denial!",
    "zzzz",
]


@pytest.fixture
def corpus(publish):
    japan, korea = RegionFactory(slug="japan"), RegionFactory(slug="korea")
    security, trade = ThemeFactory(slug="security"), ThemeFactory(slug="trade")
    writer = AuthorFactory()
    publish(
        title="Extended deterrence after the summit",
        sections=[("Summit", "Seoul's denial strategy and co-operation.")],
        regions=[japan, korea],
        themes=[security],
        authors=[writer],
    )
    publish(title="Missile ranges", dek="What deterrence asks of allies.", regions=[korea])
    publish(title="Fishing rights", sections=[("Deterrence by denial", "Coast guards.")])
    publish(title="Tariffs and chips", sections=[("Markets", "Deterrent tariffs.")], themes=[trade])
    publish(title="A draft on deterrence", status="draft", publish_at=None)


def outcome(page, facets, has_terms):
    results = [
        (r.id, round(r.score or 0, 9), r.regions, r.themes, r.snippet and r.snippet.raw)
        for r in page.results
    ]
    groups = {
        n: [(v.key, v.count) for v in values] for n, values in facets.groups.items() if values
    }
    return results, page.ranked_total, facets.total, facets.capped, groups, has_terms


def two_steps(q, filters):
    parsed = query.prepare(q)
    if not parsed.has_terms:
        return outcome(query.Page(results=[], ranked_total=0), query.Facets(), False)
    return outcome(*query.search(parsed, filters), True)


@pytest.mark.parametrize("q", QUERIES)
def test_one_statement_finds_what_the_two_steps_find(corpus, q, no_common_words):
    for filters in (query.Filters(), query.Filters(region=Region.objects.get(slug="korea"))):
        with CaptureQueriesContext(connection) as queries:
            merged = outcome(*query.search_text(q, filters))
        assert len(queries.captured_queries) == 1
        assert merged == two_steps(q, filters)


def test_the_drafts_stay_out_and_stop_words_ask_for_a_word(corpus, no_common_words):
    page, facets, has_terms = query.search_text("deterrence", query.Filters())
    assert "A draft on deterrence" not in [r.title for r in page.results]
    assert len(page.results) == 4 and facets.total == 4 and has_terms
    page, facets, has_terms = query.search_text("the and of", query.Filters())
    assert (page.results, facets.total, has_terms) == ([], 0, False)


def test_a_common_word_is_parsed_first_for_a_plan_of_its_own(
    corpus, monkeypatch, prepared_statements
):
    monkeypatch.setitem(query._common, "lexemes", frozenset({"deterrence"}))
    monkeypatch.setitem(query._common, "read_at", query.time.monotonic())
    with CaptureQueriesContext(connection) as queries:
        merged = outcome(*query.search_text("Deterrence -summit", query.Filters()))
    assert len(queries.captured_queries) == 2
    assert [plan for _, plan in prepared_statements] == [True]
    assert merged == two_steps("Deterrence -summit", query.Filters())
    prepared_statements.clear()
    query.search_text("tariffs", query.Filters())
    assert [plan for _, plan in prepared_statements] == [False]
