import re
from datetime import UTC, datetime, timedelta

import psycopg.errors
import pytest
from django.db import OperationalError, connection
from django.template import RequestContext, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.articles.models import Article
from apps.search import forms, query, suggest, views
from tests.factories import AuthorFactory, FormatFactory, RegionFactory, ThemeFactory

pytestmark = pytest.mark.django_db
URL = reverse("search:results")


@pytest.fixture
def vocab():
    return {
        "japan": RegionFactory(name="Japan", slug="japan"),
        "korea": RegionFactory(name="South Korea", slug="south-korea"),
        "security": ThemeFactory(name="Security", slug="security"),
        "trade": ThemeFactory(name="Trade", slug="trade"),
        "brief": FormatFactory(name="Brief", slug="brief"),
        "kim": AuthorFactory(name="Kim Min-ji", slug="kim-min-ji"),
    }


@pytest.fixture
def archive(publish, vocab):
    publish(
        title="The alliance after the summit",
        dek="Tokyo and Seoul draw closer.",
        regions=[vocab["japan"], vocab["korea"]],
        themes=[vocab["security"]],
        authors=[vocab["kim"]],
        days_ago=5,
        sections=[
            ("Background", "Nothing relevant here."),
            ("Shared radar data", "The alliance now shares radar data in real time."),
        ],
    )
    publish(
        title="Chip export controls",
        dek="Trade rules tighten.",
        regions=[vocab["japan"]],
        themes=[vocab["trade"]],
        format=vocab["brief"],
        days_ago=400,
        sections=[("Rules", "The alliance is strained by trade rules.")],
    )
    publish(
        title="Draft alliance memo",
        status=Article.Status.DRAFT,
        publish_at=None,
        regions=[vocab["japan"]],
    )
    publish(
        title="Scheduled alliance memo",
        publish_at=timezone.now() + timedelta(days=3),
        regions=[vocab["japan"]],
    )


def facet(response, name):
    return {v.key: v.count for v in response.context["facets"].groups[name]}


def test_results_show_title_dek_date_chips_and_a_snippet_linking_to_the_section(client, archive):
    response = client.get(URL, {"q": "alliance"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "The alliance after the summit" in html and "Tokyo and Seoul draw closer." in html
    assert "Chip export controls" in html
    assert 'href="/articles/the-alliance-after-the-summit/#shared-radar-data"' in html
    assert "<mark>alliance</mark> now shares radar data" in html
    assert 'class="chip chip--region"' in html and ">South Korea<" in html
    assert "<time datetime=" in html
    titles = [a.title for a in response.context["articles"]]
    assert titles == ["The alliance after the summit", "Chip export controls"]


def test_drafts_and_scheduled_articles_are_neither_listed_nor_counted(client, archive):
    response = client.get(URL, {"q": "alliance"})
    html = response.content.decode()
    assert "memo" not in html
    assert response.context["facets"].total == 2
    assert facet(response, "region") == {"japan": 2, "south-korea": 1}
    browse = client.get(URL)
    assert browse.context["facets"].total == 2 and "memo" not in browse.content.decode()


def test_facets_count_regions_themes_formats_authors_and_years(client, archive):
    response = client.get(URL, {"q": "alliance"})
    assert facet(response, "theme") == {"security": 1, "trade": 1}
    assert facet(response, "format") == {"analysis": 1, "brief": 1}
    assert facet(response, "author") == {"kim-min-ji": 1}
    years = {a.publish_at.year for a in response.context["articles"]}
    assert sum(facet(response, "year").values()) == 2
    assert set(facet(response, "year")) == {str(y) for y in years}
    assert 'href="?q=alliance&amp;region=japan"' in response.content.decode()


def test_facets_combine(client, archive):
    response = client.get(URL, {"q": "alliance", "region": "japan", "theme": "trade"})
    assert [a.title for a in response.context["articles"]] == ["Chip export controls"]
    assert response.context["facets"].total == 1
    assert facet(response, "region") == {"japan": 1}
    html = response.content.decode()
    assert "Region: Japan" in html and "Theme: Trade" in html
    assert '<input type="hidden" name="region" value="japan">' in html


def test_facet_links_keep_the_other_parameters_replace_their_own_and_drop_the_page(client, archive):
    response = client.get(URL, {"q": "alliance", "region": "japan", "page": "1", "x": "1"})
    html = response.content.decode()
    assert 'href="?q=alliance&amp;region=japan&amp;x=1&amp;theme=security"' in html
    assert 'href="?q=alliance&amp;region=japan&amp;x=1&amp;author=kim-min-ji"' in html
    response = client.get(URL, {"q": "alliance", "x": "1"})
    html = response.content.decode()
    assert 'href="?q=alliance&amp;x=1&amp;region=south-korea"' in html
    response = client.get(URL, {"region": "south-korea", "q": "alliance"})
    assert 'href="?region=japan&amp;q=alliance"' in response.content.decode()


def test_result_chips_link_to_their_region_and_theme_pages(client, archive):
    html = client.get(URL, {"q": "alliance"}).content.decode()
    assert '<a class="chip chip--region" href="/regions/japan/">Japan</a>' in html
    assert '<a class="chip chip--theme" href="/themes/security/">Security</a>' in html
    assert 'href="/articles/chip-export-controls/"' in html


def test_year_and_author_filters(client, archive):
    year = (timezone.now() - timedelta(days=400)).year
    response = client.get(URL, {"q": "alliance", "author": "kim-min-ji"})
    assert [a.title for a in response.context["articles"]] == ["The alliance after the summit"]
    response = client.get(URL, {"q": "chip", "year": year, "format": "brief"})
    assert [a.title for a in response.context["articles"]] == ["Chip export controls"]


def test_an_empty_query_browses_by_filters_newest_first(client, archive):
    response = client.get(URL, {"region": "japan"})
    assert response.status_code == 200
    assert [a.title for a in response.context["articles"]] == [
        "The alliance after the summit",
        "Chip export controls",
    ]
    assert facet(response, "theme") == {"security": 1, "trade": 1}


def test_snippets_escape_editor_markup_before_highlighting(client, publish):
    article = publish(
        title="Markup test",
        sections=[
            (
                "Risky",
                'The <img src=x onerror=alert(1)> sanctions "list" & <b>sanctions</b> '
                "\ue000sanctions\ue001 [link](javascript:alert(2)) if x < y sanctions.",
            )
        ],
    )
    html = client.get(URL, {"q": "sanctions"}).content.decode()
    snippet = html[html.index('class="search__snippet"') :]
    snippet = snippet[: snippet.index("</p>")]
    tags = set(re.findall(r"<[^>]*>", snippet))
    assert tags <= {"<mark>", "</mark>", "</a>", f'<a href="/articles/{article.slug}/#risky">'}
    assert "onerror" not in snippet and "javascript" not in snippet
    assert "&quot;list&quot; &amp;" in snippet and "x &lt; y" in snippet
    assert "&quot;list&quot; &amp;" in snippet
    assert snippet.count("<mark>") == snippet.count("</mark>") >= 2


def test_a_title_only_match_has_no_snippet_but_is_listed(client, publish):
    publish(title="Fisheries", sections=[("Other", "Unrelated words.")])
    response = client.get(URL, {"q": "fisheries"})
    assert [a.title for a in response.context["articles"]] == ["Fisheries"]
    assert response.context["articles"][0].snippet is None


def test_no_results_says_so_keeps_filters_and_suggests_close_titles_and_tags(
    client, publish, vocab
):
    publish(title="Deterrence on the peninsula", tags=["deterrence"])
    publish(title="Draft deterence notes", status=Article.Status.DRAFT, publish_at=None)
    response = client.get(URL, {"q": "deterence", "region": "japan"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "No published analysis matches" in html
    assert "Region: Japan" in html
    assert response.context["suggestions"].articles[0].title == "Deterrence on the peninsula"
    assert [t.name for t in response.context["suggestions"].tags] == ["deterrence"]
    assert "Draft deterence notes" not in html
    assert '<input type="hidden" name="region" value="japan">' in html


def test_suggestions_work_without_pg_trgm(client, publish, monkeypatch):
    publish(title="Deterrence on the peninsula", tags=["deterrence"])
    monkeypatch.setitem(suggest._TRIGRAM_AVAILABLE, "default", False)
    response = client.get(URL, {"q": "deterence"})
    assert response.status_code == 200
    assert [t.name for t in response.context["suggestions"].tags] == ["deterrence"]
    assert response.context["suggestions"].articles == []


def test_trigram_availability_is_detected(monkeypatch):
    monkeypatch.setattr(suggest, "_TRIGRAM_AVAILABLE", {})
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'")
        installed = cursor.fetchone()[0] == 1
    assert suggest.trigram_available() is installed


def test_result_pages_are_noindex(client, archive):
    response = client.get(URL, {"q": "alliance"})
    assert response["X-Robots-Tag"] == "noindex"
    assert '<meta name="robots" content="noindex' in response.content.decode()


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"q": "alliance " * 100}, 200),
        ({"q": "alli\x00ance"}, 400),
        ({"q": '"unbalanced alliance'}, 200),
        ({"q": 'alliance "" -"'}, 200),
        ({"q": "the and of"}, 200),
        ({"q": "-alliance"}, 200),
        ({"q": "!!! ((( &&& |||"}, 200),
        ({"q": "<script>alert(1)</script>"}, 200),
        ({"q": "alliance", "page": "999999999999999999999"}, 400),
        ({"q": "alliance", "page": "0"}, 400),
        ({"q": "alliance", "page": "two"}, 400),
        ({"q": "alliance", "page": "50"}, 404),
        ({"q": "alliance", "region": "atlantis"}, 400),
        ({"q": "alliance", "theme": "\x00"}, 400),
        ({"q": "alliance", "year": "1800"}, 400),
        ({"q": "alliance", "year": "soon"}, 400),
        ({"region": "japan", "page": "9"}, 404),
    ],
)
def test_bad_input_gives_a_normal_page_a_400_or_a_404(client, archive, params, status):
    response = client.get(URL, params)
    assert response.status_code == status
    if status == 200:
        assert "<script>alert(1)</script>" not in response.content.decode()


def test_an_overlong_query_is_cut_to_200_characters_and_still_searches(client, archive):
    response = client.get(URL, {"q": "alliance " + "x" * 500})
    assert len(response.context["q"]) == forms.MAX_QUERY_LENGTH
    assert "shortened" in response.content.decode()


def test_a_query_of_stop_words_or_exclusions_only_asks_for_a_word(client, archive):
    for q in ("the and of", "-alliance"):
        response = client.get(URL, {"q": q})
        assert response.context["no_terms"] is True
        assert "Add a word to find" in response.content.decode()


def test_every_search_statement_runs_under_a_statement_timeout(
    client, archive, no_common_words, prepared_statements
):
    timeout = f"SELECT set_config('statement_timeout', '{query.STATEMENT_TIMEOUT_MS}ms', true);"
    prepared = prepared_statements
    for params, searches in (({"q": "alliance"}, 1), ({}, 0), ({"q": "alliance", "page": 2}, 1)):
        prepared.clear()
        with CaptureQueriesContext(connection) as queries:
            client.get(URL, params)
        # the search statement is bounded by fetch_prepared (tested below), the others by
        # the timeout in their own message
        sql = [q["sql"] for q in queries.captured_queries]
        assert len(prepared) == searches == len([s for s in sql if s.startswith("WITH")])
        assert all(s.startswith(timeout) for s in sql if not s.startswith("WITH"))
    # no results: the suggestions' ORM queries follow a timeout set for their transaction
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, {"q": "alliancez"})
    assert response.context["suggestions"] is not None
    sql = [q["sql"] for q in queries.captured_queries]
    assert sql[0].startswith("WITH")  # the words parsed in the search statement
    assert sql[1].startswith("SAVEPOINT") and sql[2].startswith(timeout)
    assert sql[-1].startswith("RELEASE SAVEPOINT") and len(sql) > 5


@pytest.mark.django_db(transaction=True)
def test_the_timeout_bounds_each_statement_and_ends_with_it(monkeypatch):
    """Outside any transaction (as a request runs), the timeout set in a statement's message
    cancels that statement and is gone afterwards."""
    monkeypatch.setattr(query, "STATEMENT_TIMEOUT_MS", 50)
    with connection.cursor() as cursor:
        with pytest.raises(OperationalError) as raised:
            query.execute_bounded(cursor, "SELECT pg_sleep(%s)", [0.5])
        assert isinstance(raised.value.__cause__, psycopg.errors.QueryCanceled)
        query.execute_bounded(cursor, "SELECT pg_sleep(%s)", [0.01])
        cursor.execute("SELECT pg_sleep(0.1), current_setting('statement_timeout')")
        assert cursor.fetchone()[1] == "0"


@pytest.mark.django_db(transaction=True)
def test_a_prepared_search_statement_is_bounded_and_planned_as_asked(monkeypatch):
    """fetch_prepared's timeout and plan mode hold for its statement only, and the statement
    is prepared once per connection."""
    monkeypatch.setattr(query, "STATEMENT_TIMEOUT_MS", 50)
    with pytest.raises(OperationalError) as raised:
        query.fetch_prepared("SELECT pg_sleep(%(s)s)", {"s": 0.5}, custom_plan=False)
    assert isinstance(raised.value.__cause__, psycopg.errors.QueryCanceled)
    settings_sql = (
        "SELECT current_setting('statement_timeout'), current_setting('plan_cache_mode'),"
        " pg_sleep(%(s)s)"
    )
    for custom_plan, mode in ((False, "force_generic_plan"), (True, "force_custom_plan")):
        rows = query.fetch_prepared(settings_sql, {"s": 0.01}, custom_plan=custom_plan)
        assert rows == [("50ms", mode, "")]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(0.1), current_setting('statement_timeout')")
        assert cursor.fetchone()[1] == "0"
        cursor.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements"
            " WHERE statement LIKE 'SELECT current_setting%%'"
        )
        assert cursor.fetchall() == [(1, 1)]


def test_a_timed_out_search_is_a_503_page_not_a_500(client, archive, monkeypatch):
    def slow(*args, **kwargs):
        raise OperationalError("canceled") from psycopg.errors.QueryCanceled("timeout")

    monkeypatch.setattr(views, "run_search", slow)
    response = client.get(URL, {"q": "alliance"})
    assert response.status_code == 503
    assert "took too long" in response.content.decode()


def test_the_results_page_query_count_is_pinned_and_does_not_grow(
    client, publish, vocab, django_assert_num_queries, no_common_words
):
    def add(n):
        for i in range(n):
            publish(
                title=f"Alliance piece {n}-{i}",
                regions=[vocab["japan"], vocab["korea"]],
                themes=[vocab["security"], vocab["trade"]],
                tags=["a", "b", "c"],
                sections=[("Part", "The alliance holds."), ("Two", "Alliance again.")],
            )

    add(2)
    # the words parsed, the candidates, the page, chips, snippets and facets: one statement
    # under a timeout set in the same message, no transaction of its own
    with django_assert_num_queries(1):
        client.get(URL, {"q": "alliance"})
    add(15)
    with django_assert_num_queries(1):
        response = client.get(URL, {"q": "alliance"})
    assert len(response.context["articles"]) == 17
    # each facet filter validates its slug: one query
    with django_assert_num_queries(3):
        client.get(URL, {"q": "alliance", "region": "japan", "theme": "trade"})
    # browsing: results and facets apart; one query validates the region
    with django_assert_num_queries(3):
        client.get(URL, {"region": "japan"})


def test_pages_follow_the_ranking(client, publish, monkeypatch):
    monkeypatch.setattr(query, "PAGE_SIZE", 2)
    for n in range(5):
        publish(title=f"Tariff {n}", days_ago=n + 1)
    first = client.get(URL, {"q": "tariff"})
    second = client.get(URL, {"q": "tariff", "page": 2})
    third = client.get(URL, {"q": "tariff", "page": 3})
    seen = [a.title for r in (first, second, third) for a in r.context["articles"]]
    assert seen == [f"Tariff {n}" for n in range(5)]
    assert first.context["pages"]["count"] == 3
    assert 'href="?q=tariff&amp;page=2"' in first.content.decode()
    assert client.get(URL, {"q": "tariff", "page": 4}).status_code == 404


def test_facet_counts_beyond_the_candidates_are_shown_as_lower_bounds(client, publish, monkeypatch):
    monkeypatch.setattr(query, "HEAD_CANDIDATES", 2)
    monkeypatch.setattr(query, "TITLE_POOL_FACTOR", 1)
    monkeypatch.setattr(query, "ANY_CANDIDATES", 2)
    for n in range(5):
        publish(title=f"Tariff {n}", sections=[("A", "Tariff talk.")])
    response = client.get(URL, {"q": "tariff"})
    facets, ranked = response.context["facets"], response.context["ranked_total"]
    # more matches than `anywhere` takes: counts are lower bounds; every title match counts
    assert facets.capped is True and facets.total == 5 and 2 <= ranked < 5
    html = response.content.decode()
    assert f"5+ articles match; the best {ranked} are listed." in html
    assert f'class="facet__count">{ranked}+<' in html
    # two words, not "any of": the total is what was ranked
    response = client.get(URL, {"q": "tariff talk"})
    facets = response.context["facets"]
    assert facets.capped is True and facets.total == response.context["ranked_total"]


def test_facets_are_exact_when_every_match_was_ranked(client, publish, monkeypatch):
    monkeypatch.setattr(query, "ANY_CANDIDATES", 5)
    for n in range(4):
        publish(title=f"Note {n}", sections=[("A", "Tariff talk.")])
    response = client.get(URL, {"q": "tariff"})
    facets = response.context["facets"]
    assert facets.capped is False and facets.total == 4
    assert "4 articles match." in response.content.decode()
    assert facet(response, "format") == {"analysis": 4}


def test_browsing_facets_count_a_sample_of_the_published_articles(client, publish, monkeypatch):
    monkeypatch.setattr(query, "FACET_CAP", 2)
    for n in range(3):
        publish(title=f"Piece {n}")
    response = client.get(URL)
    facets = response.context["facets"]
    assert facets.capped is True and facets.total == 2
    assert "2+ articles match." in response.content.decode()


def test_card_text_is_escaped(client, publish):
    publish(
        title="Tariffs <script>alert(1)</script>",
        dek='Dek & "quotes" <b>bold</b>',
        sections=[("<i>Heading</i>", "Tariffs again.")],
    )
    html = client.get(URL, {"q": "tariffs"}).content.decode()
    card = html[html.index('<li class="card">') :]
    card = card[: card.index("</li>")]
    assert "<script>" not in card and "<b>" not in card and "<i>" not in card
    assert "Tariffs &lt;script&gt;alert(1)&lt;/script&gt;" in card
    assert "Dek &amp; &quot;quotes&quot; &lt;b&gt;bold&lt;/b&gt;" in card
    assert "&lt;i&gt;Heading&lt;/i&gt;</a>: <mark>Tariffs</mark> again" in card


def test_cards_date_their_article_in_the_site_time_zone(client, publish, settings):
    settings.TIME_ZONE = "Asia/Tokyo"
    publish(title="Tariff dates", publish_at=datetime(2024, 3, 5, 23, 30, tzinfo=UTC))
    html = client.get(URL, {"q": "tariff"}).content.decode()
    assert '<time datetime="2024-03-06T08:30:00+09:00">6 March 2024</time>' in html


def test_each_facet_reads_back_only_the_values_it_shows(client, publish):
    """The first FACET_VALUES_SHOWN by count, then order and name; years newest first."""
    authors = [AuthorFactory(name=f"Author {chr(65 + n)}", slug=f"author-{n}") for n in range(14)]
    articles = [
        publish(title=f"Tariff {n}", authors=[author], days_ago=365 * n + 1)
        for n, author in enumerate(authors)
    ]
    articles.append(publish(title="Tariff again", authors=[authors[13]], days_ago=3))
    years = sorted({str(timezone.localtime(a.publish_at).year) for a in articles}, reverse=True)
    shown = query.FACET_VALUES_SHOWN
    assert len(years) > shown
    for params in ({"q": "tariff"}, {}):
        response = client.get(URL, params)
        groups = response.context["facets"].groups
        assert response.context["facets"].total == 15
        assert [v.label for v in groups["author"]] == [
            "Author N",
            *(f"Author {chr(65 + n)}" for n in range(shown - 1)),
        ]
        assert groups["author"][0].count == 2
        assert [v.key for v in groups["year"]] == years[:shown]
        assert response.content.decode().count('href="?q=tariff&amp;author=') == (
            shown if params else 0
        )


def test_without_prepared_statements_a_search_is_one_bounded_message(
    client, archive, settings, no_common_words
):
    """Behind a pooler that cannot keep prepared statements (docs/scaling.md)."""
    settings.DATABASE_PREPARED_STATEMENTS = False
    timeout = f"SELECT set_config('statement_timeout', '{query.STATEMENT_TIMEOUT_MS}ms', true);"
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, {"q": "alliance"})
    assert [a.title for a in response.context["articles"]] == [
        "The alliance after the summit",
        "Chip export controls",
    ]
    assert response.context["facets"].total == 2
    assert len(queries.captured_queries) == 1
    assert all(q["sql"].startswith(timeout) for q in queries.captured_queries)


def test_chips_are_escaped_and_follow_a_renamed_term(client, publish):
    region = RegionFactory(name="Asia <b>&</b> co", slug="asia-co")
    publish(title="Tariff chips", regions=[region])
    html = client.get(URL, {"q": "tariff"}).content.decode()
    chip = '<a class="chip chip--region" href="/regions/asia-co/">{}</a>'
    assert chip.format("Asia &lt;b&gt;&amp;&lt;/b&gt; co") in html
    region.name = "Asia"
    region.save()
    assert chip.format("Asia") in client.get(URL, {"q": "tariff", "x": "1"}).content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"q": "tariff"},
        {"q": "tariff", "page": "2"},
        {"page": "2", "q": "tariff", "x": ["é ü", "a&b=c"]},
    ],
)
def test_page_links_are_what_querystring_gives(client, publish, monkeypatch, params):
    monkeypatch.setattr(query, "PAGE_SIZE", 2)
    for n in range(5):
        publish(title=f"Tariff {n}", days_ago=n + 1)
    response = client.get(URL, params)
    body = response.content.decode()
    request = RequestFactory().get(URL, params)
    page = int(params.get("page", 1))
    tag = Template("{% querystring page=n %}")
    if page > 1:
        expected = tag.render(RequestContext(request, {"n": page - 1}))
        assert f'<a rel="prev" href="{expected}">' in body
    expected = tag.render(RequestContext(request, {"n": page + 1}))
    assert f'<a rel="next" href="{expected}">' in body


def test_meta_tags_carry_this_pages_escaped_url(client, archive):
    body = client.get(URL, {"q": "alliance", "x": '"><b>'}).content.decode()
    url = "http://testserver/search/?q=alliance&amp;x=%22%3E%3Cb%3E"
    assert f'<link rel="canonical" href="{url}">' in body
    assert f'<meta property="og:url" content="{url}">' in body
    assert '<meta name="robots" content="noindex, follow">' in body
    assert "<b>" not in body


def test_each_result_carries_its_own_chips_searching_and_browsing(client, publish, vocab):
    publish(title="Tariff one", regions=[vocab["japan"]], themes=[], days_ago=1)
    publish(title="Tariff two", regions=[], themes=[vocab["trade"]], days_ago=2)
    publish(
        title="Tariff three",
        regions=[vocab["korea"], vocab["japan"]],
        themes=[vocab["security"], vocab["trade"]],
        days_ago=3,
    )
    expected = {
        "Tariff one": ([("japan", "Japan")], []),
        "Tariff two": ([], [("trade", "Trade")]),
        "Tariff three": (
            [("japan", "Japan"), ("south-korea", "South Korea")],
            [("security", "Security"), ("trade", "Trade")],
        ),
    }
    for params in ({"q": "tariff"}, {}):
        articles = client.get(URL, params).context["articles"]
        assert [a.title for a in articles] == ["Tariff one", "Tariff two", "Tariff three"]
        assert {a.title: (a.regions, a.themes) for a in articles} == expected
    assert query.search(query.prepare("zzzz"), query.Filters())[0].results == []
