from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from apps.articles.models import Article
from apps.search import query
from apps.search.quality import exhaustive_ranking, served_ranking, top_k_agreement

pytestmark = pytest.mark.django_db


def titles(q: str, filters: query.Filters | None = None) -> list[str]:
    with transaction.atomic():
        parsed = query.prepare(q)
        found = query.results(parsed, filters or query.Filters(), 0, query.MAX_RANKED)
        return [a.title for a in found.results]


@pytest.fixture
def corpus(publish):
    """Where "deterrence" appears decides the order: title, then dek or heading, then body."""
    publish(title="Harbour dues", sections=[("Ports", "A note on deterrence at sea.")])
    publish(title="Extended deterrence after the summit", sections=[("Summit", "Talks.")])
    publish(title="Missile ranges", dek="What deterrence asks of allies.")
    publish(title="Fishing rights", sections=[("Deterrence by denial", "Coast guards.")])
    publish(title="Rice prices", sections=[("Markets", "Harvests and subsidies.")])


def test_a_title_match_ranks_above_dek_heading_and_body_matches(corpus):
    ranking = titles("deterrence")
    assert ranking[0] == "Extended deterrence after the summit"
    assert set(ranking[1:3]) == {"Missile ranges", "Fishing rights"}
    assert ranking[3] == "Harbour dues"
    assert "Rice prices" not in ranking


def test_stemming_matches_other_forms_of_the_word(corpus):
    assert "Extended deterrence after the summit" in titles("deterrent")


def test_more_mentions_rank_higher_among_body_matches(publish):
    publish(title="Once", sections=[("A", "The tariff was raised.")])
    publish(title="Often", sections=[("A", "Tariff upon tariff: the tariff war.")])
    assert titles("tariff") == ["Often", "Once"]


def test_recency_breaks_ties_between_equal_matches(publish):
    publish(title="Old tariff note", days_ago=2000)
    publish(title="New tariff note", days_ago=3)
    assert titles("tariff") == ["New tariff note", "Old tariff note"]


def test_quoted_phrase_needs_the_words_together(publish):
    publish(title="Nuclear umbrella", sections=[("A", "The nuclear umbrella holds.")])
    publish(title="Umbrella deals", sections=[("A", "An umbrella of nuclear talks.")])
    assert titles('"nuclear umbrella"') == ["Nuclear umbrella"]
    assert set(titles("nuclear umbrella")) == {"Nuclear umbrella", "Umbrella deals"}


def test_a_minus_sign_excludes_every_form_of_the_word(publish):
    publish(title="Trade and deterrence", sections=[("A", "Text.")])
    publish(title="Trade and a deterrent", sections=[("A", "Text.")])
    publish(title="Trade alone", sections=[("A", "Text.")])
    assert titles("trade -deterrence") == ["Trade alone"]
    phrase_excluded = titles('trade -"trade and deterrence"')
    assert "Trade and deterrence" not in phrase_excluded and "Trade alone" in phrase_excluded


def test_or_matches_either_word(publish):
    publish(title="Semiconductors", sections=[("A", "Text.")])
    publish(title="Shipbuilding", sections=[("A", "Text.")])
    publish(title="Agriculture", sections=[("A", "Text.")])
    assert set(titles("semiconductors or shipbuilding")) == {"Semiconductors", "Shipbuilding"}


def test_exact_forms_find_words_the_english_stemmer_drops(publish):
    publish(title="US forces in Japan", sections=[("A", "Text.")])
    publish(title="Forces in Japan", sections=[("A", "Text.")])
    # "us" is an English stop word; the simple configuration still indexes and matches it
    assert titles("US forces")[0] == "US forces in Japan"


def test_drafts_scheduled_and_unpublished_articles_are_never_found(publish):
    publish(title="Public tariff piece")
    publish(title="Draft tariff piece", status=Article.Status.DRAFT, publish_at=None)
    publish(title="Review tariff piece", status=Article.Status.REVIEW, publish_at=None)
    publish(
        title="Scheduled tariff piece", publish_at=timezone.now() + timedelta(days=2), days_ago=0
    )
    publish(title="Withdrawn tariff piece", status=Article.Status.UNPUBLISHED)
    assert titles("tariff") == ["Public tariff piece"]
    assert exhaustive_ranking("tariff") == list(
        Article.objects.filter(title="Public tariff piece").values_list("id", flat=True)
    )


def test_served_ranking_agrees_with_exhaustive_ranking(corpus, publish):
    for n in range(12):
        publish(title=f"Deterrence memo {n}", days_ago=n * 40, sections=[("A", "deterrence " * n)])
    assert served_ranking("deterrence") == exhaustive_ranking("deterrence")
    assert top_k_agreement("deterrence") == 1.0
    assert top_k_agreement("nothing-matches-this") == 1.0


def test_the_candidate_stage_keeps_head_matches_when_body_matches_overflow(publish, monkeypatch):
    monkeypatch.setattr(query, "HEAD_CANDIDATES", 3)
    monkeypatch.setattr(query, "ANY_CANDIDATES", 2)
    for n in range(6):
        publish(title=f"Body only {n}", sections=[("A", "A word on sanctions.")])
    publish(title="Sanctions in the title", days_ago=900)
    publish(title="Other", dek="Sanctions in the dek.", days_ago=900)
    ranking = titles("sanctions")
    assert ranking[:2] == ["Sanctions in the title", "Other"]
    assert len(ranking) <= 5


def test_only_the_best_title_matches_by_title_and_recency_are_ranked_by_their_heads(
    publish, monkeypatch
):
    monkeypatch.setattr(query, "HEAD_CANDIDATES", 2)
    monkeypatch.setattr(query, "TITLE_POOL_FACTOR", 2)
    monkeypatch.setattr(query, "ANY_CANDIDATES", 1)
    for n in range(6):
        publish(title=f"Tariff note {n}", days_ago=1 + n * 300)
    publish(title="Tariff tariff", days_ago=3000)
    # the pool (4) is the best by title and recency: the oldest, with the word twice, is in it
    assert titles("tariff")[:2] == ["Tariff note 0", "Tariff tariff"]
    assert served_ranking("tariff", k=2) == exhaustive_ranking("tariff", k=2)


def test_filters_narrow_the_ranking(publish):
    from tests.factories import RegionFactory

    japan = RegionFactory(name="Japan", slug="japan")
    publish(title="Tariffs in Japan", regions=[japan])
    publish(title="Tariffs elsewhere")
    assert titles("tariffs", query.Filters(region=japan)) == ["Tariffs in Japan"]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("trade -deterrence", ["deterrence"]),
        ('a -"nuclear umbrella" b', ['"nuclear umbrella"']),
        ("pre-war -x", ["x"]),
        ("- spaced", []),
        ('-"unclosed phrase', ['"unclosed phrase"']),
        ("plain words", []),
    ],
)
def test_excluded_terms_are_read_as_websearch_reads_them(q, expected):
    assert query.excluded_terms(q) == expected


def test_pages_follow_the_exhaustive_ranking_when_body_only_matches_are_left_unscored(publish):
    """Candidates with none of the words in their head are scored only when a page reaches
    down to them (`query.BODY_BOUND`): every page, and the total, stay as if all were."""
    for n in range(3):
        publish(title=f"Note {n}", dek="New tariff rules.", days_ago=400 * n + 1)
    for n in range(3):
        publish(title=f"Memo {n}", sections=[("A", "Tariff " * (n + 1))], days_ago=n)
    with transaction.atomic():
        parsed = query.prepare("tariff")
        pages = [query.search(parsed, query.Filters(), offset, 2) for offset in (0, 2, 4)]
    assert [r.id for page, _ in pages for r in page.results] == exhaustive_ranking("tariff", k=6)
    assert {page.ranked_total for page, _ in pages} == {6}
    assert {facets.total for _, facets in pages} == {6}
    assert {sum(v.count for v in facets.groups["format"]) for _, facets in pages} == {6}


@pytest.mark.parametrize("q", ["tariff talk", '"tariff talk"', "tariff -rules", "pre-war"])
def test_queries_other_than_words_joined_by_or_score_every_candidate(q):
    with transaction.atomic():
        parsed = query.prepare(q)
    assert query.only_words(parsed.tsquery) is False
    assert "WHERE false AND" in query.search_sql(parsed, query.Filters())[0]
