import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from apps.articles.models import Article

from .conftest import change_url, form_data, ready_article

pytestmark = pytest.mark.django_db


def test_a_stale_second_save_is_refused_naming_who_changed_what(client, editor, second_editor):
    article = ready_article(status=Article.Status.REVIEW)
    client.force_login(editor)
    client.post(change_url(article), form_data(article))  # a first revision to compare with
    stale = form_data(article)  # both editors open the article now

    first = form_data(article, **{"sections-0-body": "Edith's careful rewrite."})
    assert client.post(change_url(article), first).status_code == 302

    client.force_login(second_editor)
    stale["sections-1-body"] = "Ed's own paragraph."
    response = client.post(change_url(article), stale)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Edith Editor saved this article" in page
    assert "Nothing was saved" in page
    # Their change is shown as a diff; the second editor's text stays in the form.
    assert "<ins>Edith&#x27;s careful rewrite</ins>" in page or "careful rewrite</ins>" in page
    assert "Ed&#x27;s own paragraph." in page or "Ed's own paragraph." in page
    article.refresh_from_db()
    assert article.sections.get(position=0).body == "Edith's careful rewrite."
    assert article.sections.get(position=1).body == "Body 2."

    # Saving again from the re-shown form is a deliberate merge and goes through.
    merged = dict(stale)
    merged["based_on_version"] = response.context["adminform"].form["based_on_version"].value()
    merged["sections-0-body"] = "Edith's careful rewrite."
    assert client.post(change_url(article), merged).status_code == 302
    article.refresh_from_db()
    bodies = [s.body for s in article.sections.all()]
    assert bodies[:2] == ["Edith's careful rewrite.", "Ed's own paragraph."]


def test_a_change_form_without_a_version_stamp_is_refused(client, editor):
    article = ready_article()
    client.force_login(editor)
    data = form_data(article, title="Changed")
    del data["based_on_version"]
    response = client.post(change_url(article), data)
    assert response.status_code == 200
    assert "no version stamp" in response.content.decode()


def test_a_stale_bulk_action_is_refused(client, editor, second_editor):
    article = ready_article(status=Article.Status.REVIEW)
    client.force_login(editor)
    seen = article.version
    client.post(change_url(article), form_data(article, dek="Changed meanwhile."))
    client.force_login(second_editor)
    response = client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "publish", "_selected_action": [article.pk], f"_version_{article.pk}": seen},
        follow=True,
    )
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("was changed by Edith Editor" in m for m in messages)
    article.refresh_from_db()
    assert article.status == Article.Status.REVIEW


def test_a_stale_list_edit_is_refused(client, editor, second_editor):
    article = ready_article(status=Article.Status.PUBLISHED)
    client.force_login(editor)
    seen = article.version
    client.post(change_url(article), form_data(article, dek="Changed meanwhile."))
    client.force_login(second_editor)
    data = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-0-id": article.pk,
        "form-0-featured": "on",
        f"_version_{article.pk}": seen,
        "_save": "Save",
    }
    response = client.post(reverse("admin:articles_article_changelist"), data)
    assert response.status_code == 200
    assert "was changed by Edith Editor" in response.content.decode()
    article.refresh_from_db()
    assert not article.featured

    data[f"_version_{article.pk}"] = article.version
    assert client.post(reverse("admin:articles_article_changelist"), data).status_code == 302
    article.refresh_from_db()
    assert article.featured


def test_every_save_increments_the_version():
    article = ready_article()
    before = article.version
    article.save()
    article.save(update_fields=["title"])
    article.refresh_from_db()
    assert article.version == before + 2
