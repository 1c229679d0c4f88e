"""The home page (apps/articles/home.py): the lead story, the latest cards, the region and theme
blocks written in Python, and what it costs."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.articles import home, reader
from apps.articles.models import Article
from tests.factories import AuthorFactory

from .conftest import publish

pytestmark = pytest.mark.django_db


def pks(articles) -> list[int]:
    return [a.pk for a in articles]


@pytest.mark.parametrize("window", [1, 2, 3, 300])
def test_each_term_gets_its_newest_published_pieces_inside_the_window_or_beyond(
    window, japan, korea, trade, security
):
    newest = publish(title="Newest on Japan", regions=[japan], themes=[trade], days_ago=1)
    second = publish(title="Second on Japan", regions=[japan], days_ago=2)
    publish(title="Third on Japan", regions=[japan], days_ago=3)
    old = publish(title="Old on Korea", regions=[korea], themes=[security], days_ago=30)
    older = publish(title="Older on Korea", regions=[korea], days_ago=40)
    publish(title="Draft on Korea", regions=[korea], status=Article.Status.DRAFT, publish_at=None)
    publish(title="Scheduled on Japan", regions=[japan], days_ago=-1)

    rows = home.newest(window)
    assert len(rows) == min(window, 5)
    regions, themes = home.by_term(rows, reader.load_vocabulary(), per_term=2, window=window)

    assert pks(regions[japan.pk]) == [newest.pk, second.pk]
    assert pks(regions[korea.pk]) == [old.pk, older.pk]
    assert pks(themes[trade.pk]) == [newest.pk]
    assert pks(themes[security.pk]) == [old.pk]


def test_the_newest_rows_carry_what_the_cards_and_blocks_need(japan, trade):
    article = publish(title="Carried", regions=[japan], themes=[trade])
    article.refresh_from_db()
    (row,) = home.newest()
    assert (row.pk, row.title, row.slug, row.publish_at) == (
        article.pk,
        "Carried",
        article.slug,
        article.publish_at,
    )
    assert (row.render_token, row.region_ids, row.theme_ids) == (
        article.render_token,
        [japan.pk],
        [trade.pk],
    )


def test_blocks_link_each_term_and_its_pieces_with_dates_and_escape_every_text(
    client, japan, korea, trade
):
    piece = publish(
        title='Tariffs & "tanks" <b>now</b>', regions=[japan], themes=[trade], days_ago=3
    )
    japan.name = "Japan <&>"
    japan.save()
    html = client.get("/").content.decode()

    block = re.search(
        r'<section class="block" aria-labelledby="region-block-japan">.*?</section>', html, re.S
    )[0]
    assert '<h3 class="block__title" id="region-block-japan"><a href="/regions/japan/">' in block
    assert ">Japan &lt;&amp;&gt;</a></h3>" in block
    date = reader.Teaser(piece.pk, "", "", piece.publish_at)
    assert (
        f'<li><a href="{piece.get_absolute_url()}">Tariffs &amp; &quot;tanks&quot; '
        f'&lt;b&gt;now&lt;/b&gt;</a> <time datetime="{date.machine_date}">{date.short_date}'
        "</time></li>"
    ) in block
    assert 'aria-labelledby="theme-block-trade"' in html
    # A region without published pieces has no block.
    assert "region-block-south-korea" not in html
    assert "<b>now" not in html


def test_lead_is_the_newest_featured_piece_and_the_latest_list_leaves_it_out(client, japan):
    pieces = [publish(title=f"Piece {i}", regions=[japan], days_ago=i + 1) for i in range(10)]
    lead = pieces[4]
    lead.featured = True
    lead.save()
    publish(title="Featured draft", featured=True, status=Article.Status.DRAFT, publish_at=None)

    response = client.get("/")
    html = response.content.decode()
    assert response.context["featured"].pk == lead.pk
    assert "Featured analysis" in html
    latest = re.search(r'id="latest".*?</section>', html, re.S)[0]
    titles = re.findall(r"Piece \d+", latest)
    assert titles == [f"Piece {i}" for i in (0, 1, 2, 3, 5, 6, 7, 8)]


def test_without_a_featured_piece_the_newest_leads_and_the_next_eight_follow(client, japan):
    for i in range(10):
        publish(title=f"Piece {i}", regions=[japan], days_ago=i + 1)
    publish(title="Scheduled", regions=[japan], days_ago=-1)

    html = client.get("/").content.decode()
    assert "Latest analysis" in html
    assert re.search(r'lead-story__title"><a href="[^"]+">Piece 0<', html)
    latest = re.search(r'id="latest".*?</section>', html, re.S)[0]
    assert re.findall(r"Piece \d+", latest) == [f"Piece {i}" for i in range(1, 9)]
    assert "Scheduled" not in html


@pytest.mark.parametrize(
    ("names", "byline"),
    [
        ([], None),
        (["Ann"], "By {0}</p>"),
        (["Ann", "Bo <b>"], "By {0} and {1}</p>"),
        (["Ann", "Bo <b>", "Cy"], "By {0}, {1} and {2}</p>"),
    ],
)
def test_lead_story_shows_format_date_dek_authors_in_order_and_chips(
    client, japan, trade, names, byline
):
    authors = [AuthorFactory(name=name, slug=f"author-{i}") for i, name in enumerate(names)]
    piece = publish(
        title="Lead & <co>",
        dek='A "dek" <here>',
        featured=True,
        regions=[japan],
        themes=[trade],
        authors=list(reversed(authors)),
    )
    # Byline positions, not creation order, decide the order.
    for position, author in enumerate(authors):
        piece.bylines.filter(author=author).update(position=position)
    piece.refresh_from_db()
    html = client.get("/").content.decode()
    lead = re.search(r'<section class="lead-story".*?</section>', html, re.S)[0]
    date = reader.Teaser(piece.pk, "", "", piece.publish_at)
    assert (
        f'<p class="card__meta"><a class="kicker" href="/formats/{piece.format.slug}/">'
        f'{piece.format.name}</a> <time datetime="{date.machine_date}">{date.long_date}</time></p>'
    ) in lead
    assert f'<a href="{piece.get_absolute_url()}">Lead &amp; &lt;co&gt;</a></h2>' in lead
    assert '<p class="lead-story__dek">A &quot;dek&quot; &lt;here&gt;</p>' in lead
    links = [
        f'<a href="/authors/author-{i}/">{name.replace("<", "&lt;").replace(">", "&gt;")}</a>'
        for i, name in enumerate(names)
    ]
    if byline is None:
        assert "card__byline" not in lead
    else:
        assert f'<p class="card__byline">{byline.format(*links)}' in lead
    assert 'class="chip chip--region" href="/regions/japan/">Japan<' in lead
    assert 'class="chip chip--theme" href="/themes/trade/">Trade<' in lead


def test_lead_story_with_a_hero_image_shows_it_eagerly(client, django_assert_num_queries):
    from tests.factories import ImageFactory

    publish(title="Plain", days_ago=2)
    publish(title="Older", days_ago=3)
    client.get("/")
    with CaptureQueriesContext(connection) as without:
        client.get("/")
    plain = len(without)
    publish(title="Illustrated", featured=True, hero_image=ImageFactory(size=(600, 300)))
    client.get("/")  # store the card
    with django_assert_num_queries(plain + 2):  # the image and its renditions
        html = client.get("/").content.decode()
    lead = re.search(r'<section class="lead-story".*?</section>', html, re.S)[0]
    assert 'class="lead-story__image"' in lead and 'loading="eager"' in lead


def test_an_empty_site_has_a_home_page(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response.context["featured"] is None
    assert b"More analysis is on its way." in response.content


def test_home_costs_five_queries_with_nothing_cached(
    client, django_assert_num_queries, japan, korea, trade, security
):
    for i in range(12):
        publish(
            title=f"Piece {i}",
            regions=[japan, korea],
            themes=[trade, security],
            featured=i == 3,
            days_ago=i + 1,
        )
    client.get("/")  # store the cards
    # The vocabulary, the lead story with its authors, the window (which also gives the latest
    # cards' ids), the cards, the matrix. The lead's bylines and the latest ids read on their
    # own made it seven.
    with django_assert_num_queries(5):
        client.get("/")
