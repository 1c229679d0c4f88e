import pytest
from django.urls import reverse
from reversion.models import Version

from apps.articles.models import Article, Section
from apps.editorial import revisions
from apps.editorial.models import AuditEntry
from apps.editorial.revisions import word_diff

from .conftest import change_url, form_data, ready_article

pytestmark = pytest.mark.django_db


def save_through_admin(client, article, **changes):
    response = client.post(change_url(article), form_data(article, **changes))
    assert response.status_code == 302, response.context["adminform"].form.errors
    article.refresh_from_db()
    return response


def test_every_admin_save_stores_the_whole_article(client, editor):
    article = ready_article(title="Versioned")
    client.force_login(editor)
    save_through_admin(client, article, **{"sections-1-body": "Edited body.", "tags": "a, b"})
    versions = revisions.versions_of(article.pk)
    assert versions.count() == 1
    snap = revisions.snapshot(versions.first().revision, article.pk)
    assert snap.fields["title"] == "Versioned"
    assert [s["body"] for s in snap.sections] == ["Body 1.", "Edited body.", "Body 3."]
    assert snap.tags == ["a", "b"]
    assert len(snap.authors) == 1
    assert snap.regions == ["South Korea"]
    assert revisions.versions_of(article.pk).first().revision.user == editor


def test_history_lists_who_when_and_which_transition(client, editor):
    article = ready_article(status=Article.Status.REVIEW)
    client.force_login(editor)
    save_through_admin(client, article, dek="First edit.")
    save_through_admin(client, article, _transition="publish")
    page = client.get(reverse("admin:articles_article_history", args=[article.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "In review → Published" in text
    assert "edith" in text
    assert "was published" in text


def test_diff_highlights_changed_words_section_by_section_and_escapes_text(client, editor):
    article = ready_article()
    client.force_login(editor)
    save_through_admin(client, article)
    save_through_admin(
        client,
        article,
        **{"sections-1-body": "Body <script>alert(1)</script> two.", "dek": "A new standfirst."},
    )
    old, new = list(revisions.versions_of(article.pk))[::-1]
    response = client.get(
        reverse("admin:articles_article_diff", args=[article.pk]), {"a": old.pk, "b": new.pk}
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "<ins>&lt;script&gt;alert(1)&lt;/script&gt; two</ins>" in text
    assert "<script>alert(1)" not in text
    assert "Section “Part 2”: changed" in text
    assert "Part 1" not in text  # unchanged sections are not listed
    assert "<del>short</del>" in text  # "A short standfirst." → "A new standfirst."


def test_diff_of_revisions_of_another_article_is_404(client, editor):
    one, two = ready_article(), ready_article()
    client.force_login(editor)
    save_through_admin(client, one)
    save_through_admin(client, two)
    foreign = revisions.versions_of(two.pk).first()
    response = client.get(
        reverse("admin:articles_article_diff", args=[one.pk]), {"a": foreign.pk, "b": foreign.pk}
    )
    assert response.status_code == 404


def test_word_diff_marks_only_the_changed_words():
    assert str(word_diff("the quick fox", "the slow fox")) == (
        "the <del>quick</del><ins>slow</ins> fox"
    )


def test_restore_brings_back_text_and_sections_as_a_new_revision(client, editor):
    article = ready_article(status=Article.Status.PUBLISHED, title="Original title")
    client.force_login(editor)
    save_through_admin(client, article)
    first = revisions.versions_of(article.pk).first()
    data = form_data(article, title="Rewritten title")
    data["sections-2-DELETE"] = "on"
    data["sections-0-body"] = "Rewritten body."
    assert client.post(change_url(article), data).status_code == 302
    assert article.sections.count() == 2

    url = reverse("admin:articles_article_restore", args=[article.pk, first.pk])
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "Rewritten" in confirm.content.decode()
    response = client.post(url)
    assert response.status_code == 302

    article.refresh_from_db()
    assert article.title == "Original title"
    assert [s.body for s in article.sections.all()] == ["Body 1.", "Body 2.", "Body 3."]
    assert article.status == Article.Status.PUBLISHED  # workflow state is kept
    assert revisions.versions_of(article.pk).count() == 3  # nothing overwritten
    assert revisions.versions_of(article.pk).first().revision.comment.startswith("Restored")
    assert AuditEntry.objects.filter(action=AuditEntry.Action.RESTORED, article=article).exists()
    # Rendered HTML and derived data are recomputed.
    assert "Body 1." in article.sections.first().body_html


def test_restore_skips_a_tag_that_has_since_been_merged_away(client, editor):
    from taggit.models import Tag

    article = ready_article()
    client.force_login(editor)
    save_through_admin(client, article, tags="old-name")
    first = revisions.versions_of(article.pk).first()
    save_through_admin(client, article, tags="new-name")
    Tag.objects.filter(name="old-name").delete()
    response = client.post(
        reverse("admin:articles_article_restore", args=[article.pk, first.pk]), follow=True
    )
    assert response.status_code == 200
    assert "merged or deleted was left out" in response.content.decode()
    assert list(article.tags.names()) == []


def test_a_writer_cannot_restore_someone_elses_article(client, writer, editor):
    article = ready_article()
    client.force_login(editor)
    save_through_admin(client, article)
    version = revisions.versions_of(article.pk).first()
    client.force_login(writer)
    url = reverse("admin:articles_article_restore", args=[article.pk, version.pk])
    assert client.post(url).status_code == 403


def test_deleted_article_can_be_recovered_from_its_history(client, administrator):
    article = ready_article(title="Deleted by mistake")
    pk = article.pk
    client.force_login(administrator)
    response = client.post(reverse("admin:articles_article_delete", args=[pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Article.objects.filter(pk=pk).exists()
    assert not Section.objects.filter(article_id=pk).exists()

    recover_list = client.get(reverse("admin:articles_article_recoverlist"))
    assert "Deleted by mistake" in recover_list.content.decode()
    version = Version.objects.get_deleted(Article).get(object_id=str(pk))
    url = reverse("admin:articles_article_recover", args=[version.pk])
    form = client.get(url)
    assert form.status_code == 200
    assert client.post(url, _recover_post(form)).status_code == 302
    restored = Article.objects.get(pk=pk)
    assert restored.title == "Deleted by mistake"
    assert restored.sections.count() == 3
    assert AuditEntry.objects.filter(action=AuditEntry.Action.RECOVERED).exists()


def _recover_post(response) -> dict:
    """The recover form's own values, as the browser would post them."""
    context = response.context
    data = {}
    form = context["adminform"].form
    for name, field in form.fields.items():
        value = form[name].value()
        if value is None or field.disabled:
            continue
        if name in ("publish_at", "last_updated_at"):
            continue
        if isinstance(value, list | tuple) and name not in ("takeaways",):
            data[name] = [getattr(v, "pk", v) for v in value]
        elif name == "takeaways":
            data[name] = "\n".join(value) if isinstance(value, list) else value
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = value
    for inline in context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[f"{formset.prefix}-{name}"] = management[name].value()
        for subform in formset.forms:
            for name in subform.fields:
                value = subform[name].value()
                if value is None or value is False:
                    continue
                if isinstance(value, list | tuple):
                    data[subform.add_prefix(name)] = [getattr(v, "pk", v) for v in value]
                else:
                    data[subform.add_prefix(name)] = getattr(value, "pk", value)
    return data


def test_writers_cannot_recover_deleted_articles(client, writer):
    client.force_login(writer)
    listing = client.get(reverse("admin:articles_article_changelist")).content.decode()
    assert "Recover deleted articles" not in listing
    assert client.get(reverse("admin:articles_article_recoverlist")).status_code == 403
