from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.articles.models import Article
from apps.regions.models import Region, Theme
from tests.factories import ArticleFactory, AuthorFactory, FormatFactory, SectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(admin_client):
    return admin_client


def article_form(**overrides):
    """The article change form's POST data, with empty inline formsets."""
    data = {
        "title": "Hedging in Seoul",
        "slug": "",
        "dek": "How South Korea spreads its bets.",
        "lead": "",
        "takeaways": "First point\nSecond point",
        "format": FormatFactory().pk,
        "regions": [Region.objects.get(slug="south-korea").pk],
        "themes": [Theme.objects.get(slug="hedging").pk],
        "tags": "alliances, deterrence",
        "status": "draft",
        "publish_at_0": "",
        "publish_at_1": "",
        "last_updated_at_0": "",
        "last_updated_at_1": "",
        "seo_title": "",
        "seo_description": "",
        "link_vocabulary": "on",
        "bylines-TOTAL_FORMS": "0",
        "bylines-INITIAL_FORMS": "0",
        "sections-TOTAL_FORMS": "0",
        "sections-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def with_sections(data, *sections):
    data = dict(data)
    data["sections-TOTAL_FORMS"] = str(len(sections))
    for i, (heading, anchor, body) in enumerate(sections):
        data[f"sections-{i}-position"] = str(i)
        data[f"sections-{i}-heading"] = heading
        data[f"sections-{i}-anchor"] = anchor
        data[f"sections-{i}-body"] = body
    return data


def test_editor_creates_article_with_sections_and_derived_fields(editor):
    author = AuthorFactory()
    data = with_sections(
        article_form(
            **{
                "bylines-TOTAL_FORMS": "1",
                "bylines-0-author": author.pk,
                "bylines-0-position": "0",
            }
        ),
        ("The Alliance Today", "", "Text " * 460),
        ("Trade Frictions", "", "More <script>alert(1)</script> text."),
    )
    response = editor.post(reverse("admin:articles_article_add"), data)
    assert response.status_code == 302, [
        f.formset.errors for f in response.context["inline_admin_formsets"]
    ]
    article = Article.objects.get()
    assert article.slug == "hedging-in-seoul"
    assert article.takeaways == ["First point", "Second point"]
    assert [s.anchor for s in article.sections.all()] == ["the-alliance-today", "trade-frictions"]
    assert "<script" not in article.sections.last().body_html
    assert article.reading_time == 2
    assert sorted(article.tags.names()) == ["alliances", "deterrence"]
    assert list(article.authors.all()) == [author]


def test_cjk_title_with_empty_slug_gets_a_slug(editor):
    response = editor.post(
        reverse("admin:articles_article_add"), article_form(title="한미 동맹의 미래")
    )
    assert response.status_code == 302
    assert Article.objects.get().slug == "hanmi-dongmaengui-milae"


def test_title_without_letters_and_no_slug_is_a_form_error(editor):
    response = editor.post(reverse("admin:articles_article_add"), article_form(title="!!! ???"))
    assert response.status_code == 200
    assert "slug" in response.context["adminform"].form.errors
    assert not Article.objects.exists()


def test_duplicate_slug_is_a_form_error_and_keeps_the_typed_text(editor):
    ArticleFactory(slug="taken")
    response = editor.post(
        reverse("admin:articles_article_add"),
        article_form(slug="taken", dek="Typed carefully."),
    )
    assert response.status_code == 200
    assert "slug" in response.context["adminform"].form.errors
    assert b"Typed carefully." in response.content


def test_duplicate_typed_anchors_are_a_form_error(editor):
    data = with_sections(article_form(), ("One", "same", "a"), ("Two", "same", "b"))
    response = editor.post(reverse("admin:articles_article_add"), data)
    assert response.status_code == 200
    assert not Article.objects.exists()
    assert "already uses the anchor" in response.content.decode()


def test_derived_anchors_are_made_unique_within_the_form(editor):
    data = with_sections(
        article_form(), ("Intro", "", "a"), ("Intro", "", "b"), ("Typed", "intro", "c")
    )
    assert editor.post(reverse("admin:articles_article_add"), data).status_code == 302
    anchors = list(Article.objects.get().sections.values_list("anchor", flat=True))
    assert anchors == ["intro-2", "intro-3", "intro"]


def test_nul_byte_in_a_field_is_a_form_error_not_a_500(editor):
    data = with_sections(article_form(dek="bad\x00dek"), ("Head\x00ing", "", "bo\x00dy"))
    response = editor.post(reverse("admin:articles_article_add"), data)
    assert response.status_code == 200
    assert "dek" in response.context["adminform"].form.errors
    assert not Article.objects.exists()


def test_editing_keeps_existing_sections_when_the_form_has_errors(editor):
    article = ArticleFactory(slug="kept")
    SectionFactory(article=article, heading="Existing", body="Saved text")
    taken = ArticleFactory(slug="other")
    data = article_form(slug=taken.slug, title=article.title)
    response = editor.post(reverse("admin:articles_article_change", args=[article.pk]), data)
    assert response.status_code == 200
    article.refresh_from_db()
    assert article.slug == "kept"
    assert article.sections.get().body == "Saved text"


def test_change_list_query_count_does_not_grow_with_rows(editor):
    regions = list(Region.objects.all())
    themes = list(Theme.objects.all())

    def make(n):
        for _ in range(n):
            ArticleFactory(regions=regions, themes=themes, authors=[AuthorFactory()])

    make(3)
    url = reverse("admin:articles_article_changelist")
    with CaptureQueriesContext(connection) as few:
        assert editor.get(url).status_code == 200
    make(30)
    with CaptureQueriesContext(connection) as many:
        response = editor.get(url)
    assert response.status_code == 200
    assert len(many) == len(few)
    assert len(many) <= 12
    assert response.content.count(b"South Korea") >= 33


def test_change_list_filters_and_search_work(editor):
    ArticleFactory(title="Chips and tariffs", status=Article.Status.DRAFT, publish_at=None)
    ArticleFactory(title="Deterrence", publish_at=timezone.now() - timedelta(days=3))
    url = reverse("admin:articles_article_changelist")
    assert b"Chips and tariffs" in editor.get(url, {"status__exact": "draft"}).content
    assert b"Chips and tariffs" not in editor.get(url, {"q": "Deterrence"}).content


def test_tag_suggestions_offer_existing_tags_starting_with_the_word_first(editor):
    ArticleFactory(tags=["trade alliances", "alliances", "deterrence", "Alliance politics"])
    url = reverse("admin:articles_article_tag_suggestions")
    response = editor.get(url, {"q": "all"})
    assert response.status_code == 200
    assert response.json()["results"] == ["Alliance politics", "alliances", "trade alliances"]


@pytest.mark.parametrize("q", ["", "x" * 101, "bad\x00word"])
def test_tag_suggestions_answer_bad_input_with_no_suggestions(editor, q):
    ArticleFactory(tags=["alliances"])
    response = editor.get(reverse("admin:articles_article_tag_suggestions"), {"q": q})
    assert response.status_code == 200
    assert response.json() == {"results": []}


def test_tag_suggestions_are_for_staff_only(client):
    response = client.get(reverse("admin:articles_article_tag_suggestions"), {"q": "a"})
    assert response.status_code == 302
    assert "/admin/login/" in response.url


def test_article_form_offers_tag_suggestions(editor):
    response = editor.get(reverse("admin:articles_article_add"))
    html = response.content.decode()
    assert 'list="id_tags-suggestions"' in html
    assert '<datalist id="id_tags-suggestions">' in html
    assert "articles/tag-autocomplete.js" in html
