"""Phrases (a quoted phrase, a hyphenated word) on the plan made for common words: the phrase is
checked only in pools of articles with all its words, which the GIN indexes find without reading
a vector back (`query.PHRASE_POOLS_SQL`); a full pool makes the counts lower bounds."""

import pytest
from django.db import connection
from django.urls import reverse

from apps.articles.models import Article
from apps.search import query

pytestmark = pytest.mark.django_db
URL = reverse("search:results")


def matches(tsquery: str, text: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (to_tsvector('english', %s) || to_tsvector('simple', %s)) @@ %s::tsquery",
            [text, text, tsquery],
        )
        return cursor.fetchone()[0]


@pytest.mark.parametrize(
    "q",
    ['"nuclear deterrence"', '"nuclear deterrence" -sanctions', "co-operation", '"war of words'],
)
def test_a_phrase_gets_a_loose_form_with_all_its_words_and_no_exclusion(q):
    parsed = query.prepare(q)
    assert query.has_phrase(parsed.tsquery)
    assert "<" not in parsed.loose and "!" not in parsed.loose


def test_the_loose_form_matches_every_match_of_the_phrase_and_more():
    parsed = query.prepare('"nuclear deterrence" -sanctions')
    together = "Nuclear deterrence is back."
    apart = "Nuclear talks; deterrence holds."
    excluded = "Nuclear deterrence and sanctions."
    assert matches(parsed.tsquery, together) and matches(parsed.loose, together)
    assert not matches(parsed.tsquery, apart) and matches(parsed.loose, apart)
    assert not matches(parsed.tsquery, excluded) and matches(parsed.loose, excluded)
    assert not matches(parsed.loose, "Nuclear talks only.")


@pytest.mark.parametrize("q", ["nuclear deterrence", "nuclear or deterrence", "-x deterrence"])
def test_words_without_a_phrase_need_no_pool(q):
    assert query.prepare(q).loose == ""


@pytest.fixture
def briefs(publish):
    """The phrase in the heads of the newest and of the oldest article; three articles between
    them have both words apart."""
    publish(title="Archive", dek="Nuclear deterrence, the old debate.", days_ago=900)
    for n in range(3):
        publish(title=f"Brief {n}", dek="Nuclear talks; deterrence holds.", days_ago=10 + n)
    publish(title="Today", dek="Nuclear deterrence now.", days_ago=1)


def phrase_search():
    parsed = query.prepare('"nuclear deterrence"')
    sql, _ = query.search_sql(parsed, query.Filters())
    assert "head_pool" in sql and "any_pool" in sql
    page, facets = query.search(parsed, query.Filters())
    return [r.title for r in page.results], facets


def test_with_room_in_the_pools_every_match_is_found_and_counted(briefs):
    titles, facets = phrase_search()
    assert titles == ["Today", "Archive"]
    assert (facets.total, facets.capped) == (2, False)


def test_the_phrase_is_checked_in_the_newest_heads_only(briefs, monkeypatch):
    monkeypatch.setattr(query, "HEAD_POOL", 3)  # Today and two briefs
    monkeypatch.setattr(query, "ANY_POOL", 0)  # nothing from the other tier
    titles, facets = phrase_search()
    assert titles == ["Today"]
    assert facets.capped


def test_a_full_pool_of_other_matches_makes_the_counts_lower_bounds(briefs, monkeypatch):
    monkeypatch.setattr(query, "ANY_POOL", 2)
    titles, facets = phrase_search()
    assert titles == ["Today", "Archive"]  # both heads are in the head pool
    assert facets.capped and facets.total_display == "2+"


def test_a_title_with_the_phrase_comes_first(briefs, publish):
    publish(title="Nuclear deterrence revisited", days_ago=400)
    publish(title="Nuclear talks and deterrence", days_ago=2)  # both words, apart
    titles, _ = phrase_search()
    assert titles == ["Nuclear deterrence revisited", "Today", "Archive"]


def test_a_phrase_looked_for_in_part_of_the_archive_says_so(briefs, client, monkeypatch):
    """No match in full pools is not "no match": the page says what was searched and links
    to the words without quotation marks."""
    monkeypatch.setitem(query._common, "lexemes", frozenset({"nuclear"}))  # the pooled plan
    monkeypatch.setitem(query._common, "read_at", query.time.monotonic())
    monkeypatch.setattr(query, "HEAD_POOL", 3)  # Today and two briefs
    monkeypatch.setattr(query, "ANY_POOL", 0)  # full at once
    today = Article.objects.get(title="Today")
    today.dek = "Nuclear news; deterrence holds."
    today.save()
    today.refresh_derived()
    response = client.get(URL, {"q": '"nuclear deterrence"', "region": "", "page": "1"})
    assert response.status_code == 200 and response.context["articles"] == []
    page = response.content.decode()
    assert "No match in the part of the archive searched." in page
    assert "0+" not in page and "Did you mean" not in page
    assert '<a href="?q=nuclear+deterrence&amp;region=">search without the quotation' in page

    monkeypatch.setattr(query, "HEAD_POOL", 400)  # Archive's head is in the pool
    response = client.get(URL, {"q": '"nuclear deterrence"'})
    assert [r.title for r in response.context["articles"]] == ["Archive"]
    assert "1+ article matches" in response.content.decode()
