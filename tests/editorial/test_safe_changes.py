import pytest
from django.urls import reverse
from taggit.models import Tag

from apps.articles.models import Article, Format
from apps.editorial.models import SlugRedirect
from apps.regions.models import Region, Theme
from tests.factories import ArticleFactory, AuthorFactory, FormatFactory, SectionFactory

from .conftest import change_url, form_data, ready_article

pytestmark = pytest.mark.django_db


def test_changing_a_published_slug_redirects_the_old_url(client, editor):
    article = ready_article(status=Article.Status.PUBLISHED, slug="old-name")
    client.force_login(editor)
    assert client.post(change_url(article), form_data(article, slug="new-name")).status_code == 302
    client.logout()
    response = client.get("/articles/old-name/")
    assert response.status_code == 301
    assert response["Location"] == "/articles/new-name/"
    assert client.get("/articles/new-name/").status_code == 200


def test_changing_it_back_removes_the_redirect_loop(client, editor):
    article = ready_article(status=Article.Status.PUBLISHED, slug="first")
    client.force_login(editor)
    client.post(change_url(article), form_data(article, slug="second"))
    client.post(change_url(article), form_data(article, slug="first"))
    assert list(SlugRedirect.objects.values_list("old_slug", flat=True)) == ["second"]
    client.logout()
    assert client.get("/articles/first/").status_code == 200
    assert client.get("/articles/second/")["Location"] == "/articles/first/"


def test_a_draft_slug_change_leaves_no_redirect(client, editor):
    article = ready_article(slug="draft-slug")
    client.force_login(editor)
    client.post(change_url(article), form_data(article, slug="better-slug"))
    assert not SlugRedirect.objects.exists()


def test_an_old_slug_of_an_unpublished_article_is_404(client, editor):
    article = ready_article(status=Article.Status.PUBLISHED, slug="was-public")
    client.force_login(editor)
    client.post(change_url(article), form_data(article, slug="now-elsewhere"))
    Article.objects.filter(pk=article.pk).update(status=Article.Status.UNPUBLISHED)
    client.logout()
    assert client.get("/articles/was-public/").status_code == 404


@pytest.mark.parametrize("kind", ["region", "theme", "format", "author"])
def test_deleting_a_term_in_use_is_refused_listing_the_articles(client, administrator, kind):
    article = ArticleFactory(title="Still uses it")
    if kind == "region":
        obj = Region.objects.get(slug="south-korea")
        article.regions.add(obj)
    elif kind == "theme":
        obj = Theme.objects.get(slug="hedging")
        article.themes.add(obj)
    elif kind == "format":
        obj = FormatFactory(name="Field notes", slug="field-notes")
        Article.objects.filter(pk=article.pk).update(format=obj)
    else:
        obj = AuthorFactory()
        article.bylines.create(author=obj, position=0)
    client.force_login(administrator)
    app = "regions" if kind in ("region", "theme") else "articles"
    url = reverse(f"admin:{app}_{kind}_delete", args=[obj.pk])
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Still uses it" in text
    assert "would require deleting the following protected related objects" in text
    client.post(url, {"post": "yes"})
    assert type(obj).objects.filter(pk=obj.pk).exists()
    assert Article.objects.filter(pk=article.pk).exists()


def test_deleting_a_region_used_only_by_a_section_is_refused(client, administrator):
    region = Region.objects.get(slug="japan")
    section = SectionFactory(heading="Tokyo's view")
    section.regions.add(region)
    client.force_login(administrator)
    url = reverse("admin:regions_region_delete", args=[region.pk])
    assert "Tokyo&#x27;s view" in client.get(url).content.decode()
    client.post(url, {"post": "yes"})
    assert Region.objects.filter(pk=region.pk).exists()


def test_an_unused_format_can_be_deleted(client, administrator):
    unused = FormatFactory(name="Unused", slug="unused")
    client.force_login(administrator)
    client.post(reverse("admin:articles_format_delete", args=[unused.pk]), {"post": "yes"})
    assert not Format.objects.filter(pk=unused.pk).exists()


def test_merging_tags_keeps_every_articles_tagging(client, editor):
    one = ArticleFactory(tags=["alliance"])
    two = ArticleFactory(tags=["alliances", "alliance"])
    three = ArticleFactory(tags=["Alliances (US)"])
    tags = Tag.objects.filter(name__in=["alliance", "alliances", "Alliances (US)"])
    keep = Tag.objects.get(name="alliances")
    client.force_login(editor)
    url = reverse("admin:taggit_tag_changelist")
    selected = {"action": "merge", "_selected_action": [t.pk for t in tags]}
    confirm = client.post(url, selected)
    assert confirm.status_code == 200
    assert "Merging these tags" in confirm.content.decode()
    response = client.post(url, {**selected, "target": keep.pk}, follow=True)
    assert "Merged" in response.content.decode()
    assert list(Tag.objects.values_list("name", flat=True)) == ["alliances"]
    for article in (one, two, three):
        assert list(article.tags.names()) == ["alliances"]


def test_unused_tags_are_listed_by_the_usage_filter(client, editor):
    ArticleFactory(tags=["used-tag"])
    Tag.objects.create(name="orphan", slug="orphan")
    client.force_login(editor)
    page = client.get(reverse("admin:taggit_tag_changelist"), {"usage": "unused"})
    text = page.content.decode()
    assert "orphan" in text and "used-tag" not in text


def test_renaming_a_tag_onto_another_name_is_a_form_error(client, editor):
    Tag.objects.create(name="taken", slug="taken")
    tag = Tag.objects.create(name="typo", slug="typo")
    client.force_login(editor)
    url = reverse("admin:taggit_tag_change", args=[tag.pk])
    response = client.post(url, {"name": "taken", "slug": "taken-2"})
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert client.post(url, {"name": "Typo fixed", "slug": "typo-fixed"}).status_code == 302
    tag.refresh_from_db()
    assert tag.name == "Typo fixed"


def test_markdown_preview_uses_the_public_renderer(client, writer):
    client.force_login(writer)
    url = reverse("admin:articles_article_markdown_preview")
    response = client.post(url, {"text": "**bold** <script>x()</script>"})
    assert response.status_code == 200
    html = response.json()["html"]
    assert "<strong>bold</strong>" in html and "<script" not in html
    assert {"private", "no-store"} <= set(response["Cache-Control"].split(", "))
    assert client.post(url, {"text": "nul\x00byte"}).status_code == 400
    assert client.get(url).status_code == 405


def test_markdown_preview_needs_change_permission(client, make_user):
    client.force_login(make_user("viewer"))
    url = reverse("admin:articles_article_markdown_preview")
    assert client.post(url, {"text": "x"}).status_code == 403


def test_public_update_note_is_stored_and_sets_the_modified_date(client, editor):
    article = ready_article(status=Article.Status.PUBLISHED)
    client.force_login(editor)
    data = form_data(article, update_note="Added Seoul's response.")
    assert client.post(change_url(article), data).status_code == 302
    article.refresh_from_db()
    note = article.update_notes.get()
    assert note.note == "Added Seoul's response."
    assert article.last_updated_at is not None and article.was_updated


def test_update_notes_include_shows_each_note_with_its_date(editor):
    from django.template.loader import render_to_string

    from apps.editorial.models import UpdateNote

    article = ready_article(status=Article.Status.PUBLISHED)
    UpdateNote.objects.create(article=article, note="Added <Seoul>'s response.")
    html = render_to_string(
        "editorial/includes/update_notes.html", {"notes": article.update_notes.all()}
    )
    assert "Added &lt;Seoul&gt;&#x27;s response." in html
    assert '<time datetime="' in html
    assert render_to_string("editorial/includes/update_notes.html", {"notes": []}).strip() == ""
