"""Stored pages and cards (apps/articles/rendering.py): served while current, never stale.

An article's page and card are rendered when it is saved and served from the stored HTML; any
change to what they show retires them, and the next reader renders them again.
"""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from taggit.models import Tag

from apps.articles import reader, rendering
from apps.articles.models import Article, ArticleRender, Format
from apps.editorial.admin import merge_tags
from apps.editorial.models import UpdateNote
from tests.factories import AuthorFactory

from .conftest import UNPUBLISHED_STATES, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def piece(japan, security):
    author = AuthorFactory(name="Aiko Mori", slug="aiko-mori")
    return publish(
        title="Hedging in practice",
        regions=[japan],
        themes=[security],
        tags=["hedging"],
        authors=[author],
    )


def page(client, article) -> str:
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def listing(client) -> str:
    response = client.get("/regions/japan/")
    assert response.status_code == 200
    return response.content.decode()


def test_saving_a_published_article_stores_its_page_and_card(piece):
    stored = ArticleRender.objects.get(article=piece)
    piece.refresh_from_db()
    assert stored.page_key == stored.card_key == rendering.key_for(piece.render_token)
    assert "Hedging in practice" in stored.body_html
    assert 'class="card"' in stored.card_html and "Aiko Mori" in stored.card_html
    assert "<title>" not in stored.head_html and 'rel="canonical"' in stored.head_html


def test_the_page_is_the_stored_render_and_one_query_for_the_other_articles(
    client, piece, django_assert_num_queries
):
    ArticleRender.objects.filter(article=piece).update(
        body_html='<article class="article"><h1>Marker from the store</h1></article>'
    )
    with django_assert_num_queries(2):
        html = page(client, piece)
    assert "Marker from the store" in html


def test_a_missing_render_is_made_by_the_first_reader_and_stored(client, piece):
    ArticleRender.objects.all().delete()
    assert "Hedging in practice" in page(client, piece)
    stored = ArticleRender.objects.get(article=piece)
    assert stored.page_key == rendering.key_for(Article.objects.get(pk=piece.pk).render_token)


@pytest.mark.parametrize("state", UNPUBLISHED_STATES)
def test_a_stored_render_never_makes_an_unpublished_article_public(client, piece, state):
    fields = UNPUBLISHED_STATES[state]
    publish_at = timezone.now() - timedelta(days=fields.get("days_ago", 1))
    Article.objects.filter(pk=piece.pk).update(
        status=fields["status"], publish_at=fields.get("publish_at", publish_at)
    )
    assert ArticleRender.objects.filter(article=piece).exists()
    assert client.get(piece.get_absolute_url()).status_code == 404
    assert "Hedging in practice" not in listing(client)


def test_a_render_of_content_read_before_a_change_is_never_served(client, piece):
    # A slow reader reads the article, an editor renames its author meanwhile, then the reader
    # stores what it rendered from the old name: the token it read is no longer current.
    before = reader.page_article(Article.objects.all(), pk=piece.pk)
    old = rendering.render_page(before)
    author = piece.authors.get()
    author.name = "Aiko Mori-Tanaka"
    author.save()
    ArticleRender.objects.filter(article=piece).update(
        page_key=rendering.key_for(before.render_token), body_html=old.body
    )
    html = page(client, piece)
    assert "Aiko Mori-Tanaka" in html


def rename_author(piece, japan) -> str:
    author = piece.authors.get()
    author.name = "A. Mori"
    author.save()
    return author.name


def rename_format(piece, japan) -> str:
    kind = Format.objects.get(pk=piece.format_id)
    kind.name = "Long read"
    kind.save()
    return kind.name


def rename_region(piece, japan) -> str:
    japan.name = "Japan (Nippon)"
    japan.save()
    return japan.name


@pytest.mark.parametrize("change", [rename_author, rename_format, rename_region])
def test_renaming_what_a_page_and_card_show_reaches_both(client, piece, japan, change):
    page(client, piece), listing(client)  # rendered and stored
    name = change(piece, japan)
    assert name in page(client, piece)
    assert name in listing(client)


def test_merging_tags_reaches_the_stored_page(client, piece):
    page(client, piece)
    target = Tag.objects.create(name="Strategic hedging", slug="strategic-hedging")
    merge_tags(target, list(piece.tags.all()))
    assert "Strategic hedging" in page(client, piece)


def test_saving_an_instance_read_before_an_invalidation_still_retires_the_render(client, piece):
    stale_instance = Article.objects.get(pk=piece.pk)
    Article.objects.filter(pk=piece.pk).invalidate_renders()
    page(client, piece)  # a reader renders and stores under the new token
    stale_instance.title = "Hedging, retitled"
    stale_instance.save()
    assert "Hedging, retitled" in page(client, piece)


def test_an_update_note_and_a_bulk_update_reach_the_stored_page(client, piece):
    page(client, piece)
    UpdateNote.objects.create(article=piece, note="Added the ministry's reply")
    assert "Added the ministry&#x27;s reply" in page(client, piece)
    Article.objects.filter(pk=piece.pk).update(title="Hedging, revisited")
    assert "Hedging, revisited" in page(client, piece)


def test_other_articles_are_live_not_stored(client, piece, japan, security):
    page(client, piece)
    newcomer = publish(title="A newer piece on Japan", regions=[japan], themes=[security])
    html = page(client, piece)
    assert newcomer.title in html  # in "Related analysis" and "More on Japan"


def test_the_citation_access_date_is_the_day_the_page_is_served(client, piece, monkeypatch):
    last_week = timezone.localdate() - timedelta(days=7)
    monkeypatch.setattr(rendering.timezone, "localdate", lambda *a: last_week)
    ArticleRender.objects.all().delete()
    rendering.store_renders(Article.objects.filter(pk=piece.pk))
    assert last_week.isoformat() in ArticleRender.objects.get(article=piece).body_html
    monkeypatch.undo()
    html = page(client, piece)
    cite = html.split('<details class="cite"')[1].split("</details>")[0]
    assert last_week.isoformat() not in cite
    assert timezone.localdate().isoformat() in cite


def test_a_listing_reads_stored_cards_and_renders_only_stale_ones(
    client, piece, japan, django_assert_num_queries
):
    listing(client)
    ArticleRender.objects.filter(article=piece).update(
        card_html='<li class="card">Card marker from the store</li>'
    )
    assert "Card marker from the store" in listing(client)
    # The tag exists (1), the page's ids (1), their stored cards (1).
    with django_assert_num_queries(3):
        html = client.get("/tags/hedging/").content.decode()
    assert "Card marker from the store" in html
    Article.objects.filter(pk=piece.pk).invalidate_renders()
    html = listing(client)
    assert "Card marker from the store" not in html and "Hedging in practice" in html
    stored = ArticleRender.objects.get(article=piece)
    assert stored.card_key == rendering.key_for(Article.objects.get(pk=piece.pk).render_token)


def test_render_articles_fills_missing_and_stale_renders(piece, japan):
    other = publish(title="Another piece", regions=[japan])
    draft = publish(title="A draft", status=Article.Status.DRAFT, publish_at=None)
    ArticleRender.objects.filter(article=piece).delete()
    Article.objects.filter(pk=other.pk).invalidate_renders()
    call_command("render_articles", stdout=(out := _Sink()))
    assert "Rendered 2 article(s)." in out.text
    for article in Article.objects.filter(pk__in=[piece.pk, other.pk]):
        assert article.render.page_key == rendering.key_for(article.render_token)
    assert not ArticleRender.objects.filter(article=draft).exists()
    call_command("render_articles", stdout=(out := _Sink()))
    assert "Rendered 0 article(s)." in out.text
    with pytest.raises(CommandError, match="--shard"):
        call_command("render_articles", shard="2/2")


class _Sink:
    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> None:
        self.text += text

    def flush(self) -> None:
        pass


def test_the_stamp_covers_every_template_a_render_is_made_from():
    import re

    from django.template.loader import get_template

    included = set()
    for name in rendering.STORED_TEMPLATES:
        source = get_template(name).template.source
        included |= set(re.findall(r'{%\s*(?:include|extends)\s+"([^"]+)"', source))
    assert included <= set(rendering.STORED_TEMPLATES)


def test_a_template_or_settings_change_retires_stored_renders(client, piece, settings):
    key = ArticleRender.objects.get(article=piece).page_key
    settings.SITE_URL = "https://analysis.example"
    assert rendering.key_for(Article.objects.get(pk=piece.pk).render_token) != key
    assert 'href="https://analysis.example/articles/' in page(client, piece)


def test_a_term_renamed_while_a_render_is_made_never_reaches_the_stored_page(
    client, piece, japan, monkeypatch
):
    read = reader.read_vocabulary

    def read_then_rename():
        vocabulary = read()  # the old name
        japan.name = "Nippon"
        japan.save()  # an editor's rename lands before the render is stored
        return vocabulary

    monkeypatch.setattr(reader, "read_vocabulary", read_then_rename)
    ArticleRender.objects.all().delete()
    rendering.store_renders(Article.objects.filter(pk=piece.pk))
    monkeypatch.undo()
    assert "Nippon" in page(client, piece)
    assert "Nippon" in listing(client)
