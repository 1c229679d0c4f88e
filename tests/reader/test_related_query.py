"""The article page's live query (`nearby.fresh`): one statement of one shape, prepared once
per connection with one plan, finding the same pieces whichever way each term is read."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.articles import nearby, reader, rendering
from apps.articles.models import ArticleLink
from tests.factories import RegionFactory

from .conftest import UNPUBLISHED_STATES, publish

pytestmark = pytest.mark.django_db


def teasers(found: dict) -> dict:
    return {
        "related": [t.pk for t in found["related"]],
        "region": [t.pk for t in found["rails"]["region"]],
        "theme": [t.pk for t in found["rails"]["theme"]],
        "referenced_by": [t.pk for t in found["referenced_by"]],
    }


@pytest.fixture
def archive(japan, korea, security, trade):
    """An article and others around it: sharing some of its terms, citing it, hidden."""
    subject = publish(
        title="Subject", regions=[japan, korea], themes=[security], tags=["rare", "common"]
    )
    others = [
        publish(title="All of them", regions=[japan], themes=[security], tags=["rare"], days_ago=9),
        publish(title="Japan, newest", regions=[japan], days_ago=0.5),
        publish(title="Korea and trade", regions=[korea], themes=[trade], days_ago=3),
        publish(title="Security", themes=[security], tags=["common"], days_ago=4),
        publish(title="Common tag", tags=["common"], days_ago=2),
        publish(title="Nothing shared", themes=[trade], days_ago=1),
    ]
    for i in range(5):
        publish(title=f"Japan {i}", regions=[japan], days_ago=10 + i)
    for name, state in UNPUBLISHED_STATES.items():
        fields = {k: v for k, v in state.items() if k != "days_ago"}
        hidden = publish(
            title=f"Hidden {name}",
            regions=[japan, korea],
            themes=[security],
            tags=["rare", "common"],
            days_ago=state.get("days_ago", 0.1),
            **fields,
        )
        ArticleLink.objects.create(source=hidden, target=subject)
    ArticleLink.objects.create(source=others[2], target=subject)
    return subject


def page_data(article) -> dict:
    return rendering.published_page(article.slug).data


def test_rare_regions_and_themes_are_marked_when_the_page_is_rendered(japan, korea, monkeypatch):
    monkeypatch.setattr(reader, "RARE_TERM_USES", 3)
    for i in range(3):
        publish(title=f"Japan {i}", regions=[japan])
    article = publish(title="Both", regions=[japan, korea])
    data = page_data(article)
    assert set(data["regions"]) == {japan.pk, korea.pk}
    # Japan is carried by four articles, South Korea by one.
    assert data["rare_regions"] == [korea.pk]
    assert data["rare_themes"] == []


def test_a_term_read_as_rare_or_as_busy_finds_the_same_pieces(archive, japan, korea, security):
    data = page_data(archive)
    # The test database is small: every term is rare.
    assert set(data["rare_regions"]) == {japan.pk, korea.pk}
    assert data["rare_themes"] == [security.pk]
    as_rare = teasers(nearby.fresh(archive.pk, data))
    busy = {**data, "rare_regions": [], "rare_themes": []}
    assert teasers(nearby.fresh(archive.pk, busy)) == as_rare
    found = nearby.fresh(archive.pk, data)
    related = [t.title for t in found["related"]]
    assert related[0] == "All of them"
    assert "Nothing shared" not in related
    assert [t.title for t in found["rails"]["region"]] == [
        "Japan, newest",
        "All of them",
        "Japan 0",
        "Japan 1",
    ]
    assert [t.title for t in found["referenced_by"]] == ["Korea and trade"]
    every = {pk for pks in as_rare.values() for pk in pks}
    assert not any(title.startswith("Hidden") for title in _titles(every))


def _titles(pks) -> list[str]:
    from apps.articles.models import Article

    return list(Article.objects.filter(pk__in=pks).values_list("title", flat=True))


def test_without_prepared_statements_the_pieces_are_the_same(archive, settings):
    data = page_data(archive)
    prepared = teasers(nearby.fresh(archive.pk, data))
    settings.DATABASE_PREPARED_STATEMENTS = False
    assert teasers(nearby.fresh(archive.pk, data)) == prepared


def test_the_live_query_is_one_prepared_statement_with_one_plan(archive, japan):
    other = publish(title="Another subject", regions=[japan], tags=["common"])
    first, second = page_data(archive), page_data(other)
    with CaptureQueriesContext(connection) as queries:
        nearby.fresh(archive.pk, first)
        nearby.fresh(other.pk, second)
        nearby.fresh(archive.pk, first)
    # Logged and counted like any query: one per page.
    assert len(queries.captured_queries) == 3
    assert queries.captured_queries[0]["sql"].startswith("WITH candidate")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements"
            " WHERE statement LIKE 'WITH candidate%%'"
        )
        plans = cursor.fetchall()
    # The same text for every article, planned once: no call re-planned.
    assert plans, "the statement was not prepared"
    assert sum(generic for generic, _ in plans) >= 3
    assert sum(custom for _, custom in plans) == 0


def test_the_gate_for_a_prepared_plan_keeps_only_the_clock_as_a_parameter():
    sql, params = reader.published_condition("a", clock_only=True)
    assert "'published'" in sql and sql.count("%s") == 1
    assert len(params) == 1 and params[0].tzinfo is not None
    plain_sql, plain_params = reader.published_condition("a")
    assert plain_sql.count("%s") == len(plain_params) == 2


def test_a_region_added_later_is_found_by_reading_its_rows(japan, monkeypatch):
    monkeypatch.setattr(reader, "RARE_TERM_USES", 3)
    for i in range(4):
        publish(title=f"Japan {i}", regions=[japan], days_ago=5 + i)
    mongolia = RegionFactory(slug="mongolia", name="Mongolia", order=90)
    alone = publish(title="On Mongolia", regions=[mongolia], days_ago=3)
    article = publish(title="Japan and Mongolia", regions=[japan, mongolia])
    data = page_data(article)
    # Japan is carried by five articles, Mongolia by two.
    assert data["rare_regions"] == [mongolia.pk]
    found = nearby.fresh(article.pk, data)
    assert alone.pk in [t.pk for t in found["related"]]
    busy = {**data, "rare_regions": []}
    assert teasers(nearby.fresh(article.pk, busy)) == teasers(found)


def test_the_compiled_gate_reads_the_clock_on_every_call():
    with time_machine.travel(timezone.now() + timedelta(days=3)):
        later = reader.published_condition("a")[1]
    now = reader.published_condition("a")[1]
    (clock,) = (p for p in now if not isinstance(p, str))
    (later_clock,) = (p for p in later if not isinstance(p, str))
    assert abs(clock - timezone.now()) < timedelta(seconds=5)
    assert later_clock - clock > timedelta(days=2)


def test_the_block_after_the_article_escapes_what_editors_wrote(client, japan, security):
    subject = publish(title="Subject", regions=[japan], themes=[security])
    hostile = publish(
        title='<script>alert(1)</script> & "Co"',
        dek="<b>Bold</b> claims " + "word " * 40,
        regions=[japan],
        themes=[security],
        days_ago=2,
    )
    ArticleLink.objects.create(source=hostile, target=subject)
    html = client.get(subject.get_absolute_url()).content.decode()
    after = html.split('<div class="after-article">')[1]
    assert "<script>alert(1)" not in html
    # Referenced by, related analysis and both rails: four escaped titles.
    assert after.count("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Co&quot;") == 4
    assert "&lt;b&gt;Bold&lt;/b&gt; claims" in after and "<b>Bold" not in after
    # The dek is cut at thirty words, as the template's truncatewords was.
    dek = after.split('<p class="card__dek">')[1].split("</p>")[0]
    assert len(dek.split()) == 31 and dek.endswith("…")
