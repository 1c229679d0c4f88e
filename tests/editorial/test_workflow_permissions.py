"""Every transition for every role, through the change form's buttons and the bulk actions."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from apps.articles.models import Article
from apps.editorial.models import AuditEntry

from .conftest import change_url, form_data, ready_article

pytestmark = pytest.mark.django_db

S = Article.Status

# transition, starting status, status after, {role: allowed}
MATRIX = [
    ("submit", S.DRAFT, S.REVIEW, {"Writer": True, "Editor": True, "Administrator": True}),
    ("to_draft", S.REVIEW, S.DRAFT, {"Writer": True, "Editor": True, "Administrator": True}),
    ("publish", S.REVIEW, S.PUBLISHED, {"Writer": False, "Editor": True, "Administrator": True}),
    ("publish", S.UNPUBLISHED, S.PUBLISHED,
     {"Writer": False, "Editor": True, "Administrator": True}),
    ("unpublish", S.PUBLISHED, S.UNPUBLISHED,
     {"Writer": False, "Editor": True, "Administrator": True}),
]  # fmt: skip
CASES = [
    pytest.param(name, start, end, role, allowed, id=f"{role}-{name}-from-{start}")
    for name, start, end, allowed_by_role in MATRIX
    for role, allowed in allowed_by_role.items()
]


@pytest.fixture
def user_in(make_user):
    return lambda role: make_user(f"{role.lower()}-user", role)


@pytest.mark.parametrize(("name", "start", "end", "role", "allowed"), CASES)
def test_bulk_action_transition_is_allowed_only_to_the_right_roles(
    client, user_in, name, start, end, role, allowed
):
    user = user_in(role)
    article = ready_article(owner=user, status=start)
    client.force_login(user)
    action = {
        "submit": "submit_for_review",
        "to_draft": "back_to_draft",
        "publish": "publish",
        "unpublish": "unpublish",
    }[name]
    response = client.post(
        reverse("admin:articles_article_changelist"),
        {"action": action, "_selected_action": [article.pk]},
        follow=True,
    )
    article.refresh_from_db()
    assert response.status_code == 200
    if allowed:
        assert article.status == end
        entry = AuditEntry.objects.get(article=article)
        assert (entry.from_status, entry.to_status, entry.user) == (start, end, user)
    else:
        assert article.status == start
        assert not AuditEntry.objects.exists()
        # The action is not even offered to a role that lacks the permission.
        assert f'<option value="{action}">' not in response.content.decode()


@pytest.mark.parametrize(("name", "start", "end", "role", "allowed"), CASES)
def test_change_form_transition_button_is_allowed_only_to_the_right_roles(
    client, user_in, name, start, end, role, allowed
):
    user = user_in(role)
    article = ready_article(owner=user, status=start)
    client.force_login(user)
    response = client.post(change_url(article), form_data(article, _transition=name))
    article.refresh_from_db()
    if not allowed:
        # Writers cannot even open others'/non-draft articles for editing: 403, or a refusal.
        assert response.status_code in (200, 403)
        assert article.status == start
        return
    if start != S.DRAFT and role == "Writer":
        # A Writer edits only drafts; their review → draft goes through the list action.
        assert response.status_code == 403
        assert article.status == start
        return
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert article.status == end
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert any(article.title in m for m in messages)


def test_writer_posting_status_published_by_hand_is_refused_with_a_reason(client, writer):
    article = ready_article(owner=writer)
    client.force_login(writer)
    response = client.post(change_url(article), form_data(article, status="published"))
    assert response.status_code == 200
    errors = " ".join(response.context["adminform"].form.non_field_errors())
    assert "needs the Editor role" in errors
    article.refresh_from_db()
    assert article.status == S.DRAFT


def test_writer_posting_a_publish_time_by_hand_is_refused_not_ignored(client, writer):
    article = ready_article(owner=writer)
    client.force_login(writer)
    data = form_data(article, publish_at_0="2030-01-01", publish_at_1="09:00:00", dek="Changed dek")
    response = client.post(change_url(article), data)
    assert response.status_code == 200
    errors = " ".join(response.context["adminform"].form.non_field_errors())
    assert "Only Editors may set the publish time" in errors
    article.refresh_from_db()
    assert article.publish_at is None
    assert article.dek != "Changed dek"
    # What the writer typed is still in the form.
    assert "Changed dek" in response.content.decode()


def test_writer_posting_publish_transition_by_hand_is_refused(client, writer):
    article = ready_article(owner=writer, status=S.DRAFT)
    client.force_login(writer)
    response = client.post(change_url(article), form_data(article, _transition="publish"))
    assert response.status_code == 200
    assert "needs the Editor role" in response.content.decode()
    article.refresh_from_db()
    assert article.status == S.DRAFT


def test_writer_cannot_edit_another_writers_draft(client, writer, other_writer):
    article = ready_article(owner=other_writer)
    client.force_login(writer)
    assert client.post(change_url(article), form_data(article, title="Mine now")).status_code == 403
    article.refresh_from_db()
    assert article.title != "Mine now"


def test_writer_cannot_edit_their_own_published_article(client, writer):
    article = ready_article(owner=writer, status=S.PUBLISHED)
    client.force_login(writer)
    assert client.post(change_url(article), form_data(article, title="Edited")).status_code == 403
    # They can still read it.
    assert client.get(change_url(article)).status_code == 200


def test_writer_sees_only_the_buttons_their_role_allows(client, writer, editor):
    article = ready_article(owner=writer)
    client.force_login(writer)
    page = client.get(change_url(article)).content.decode()
    assert 'value="submit"' in page
    assert 'value="publish"' not in page
    client.force_login(editor)
    article.status = S.REVIEW
    article.save()
    page = client.get(change_url(article)).content.decode()
    assert 'value="publish"' in page and 'value="to_draft"' in page


def test_writer_creates_an_article_they_own(client, writer):
    client.force_login(writer)
    article = ready_article(owner=None)
    data = form_data(article, title="Brand new", slug="brand-new")
    for key in list(data):
        if key.endswith("-id") or key.endswith("-article"):
            del data[key]
    data.update({"sections-INITIAL_FORMS": "0", "bylines-INITIAL_FORMS": "0"})
    del data["based_on_version"]
    response = client.post(reverse("admin:articles_article_add"), data)
    assert response.status_code == 302
    created = Article.objects.get(slug="brand-new")
    assert created.created_by == writer
    assert created.status == S.DRAFT


def test_publishing_refuses_an_article_without_dek_or_regions(client, editor):
    article = ready_article(status=S.REVIEW)
    client.force_login(editor)
    data = form_data(article, _transition="publish", dek="", regions=[], themes=[])
    response = client.post(change_url(article), data)
    assert response.status_code == 200
    errors = " ".join(response.context["adminform"].form.non_field_errors())
    assert "needs a dek" in errors and "region or theme" in errors
    article.refresh_from_db()
    assert article.status == S.REVIEW


def test_publishing_refuses_an_article_without_sections(client, editor):
    article = ready_article(status=S.REVIEW, sections=0)
    client.force_login(editor)
    response = client.post(change_url(article), form_data(article, _transition="publish"))
    assert response.status_code == 200
    assert "add at least one section" in response.content.decode()


def test_bulk_publish_reports_articles_that_are_not_ready(client, editor):
    ready = ready_article(status=S.REVIEW)
    bare = ready_article(status=S.REVIEW, sections=0, dek="")
    client.force_login(editor)
    response = client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "publish", "_selected_action": [ready.pk, bare.pk]},
        follow=True,
    )
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    ready.refresh_from_db()
    bare.refresh_from_db()
    assert ready.status == S.PUBLISHED
    assert bare.status == S.REVIEW
    assert any("not ready" in m and "needs a dek" in m for m in messages)


def test_section_checks_registered_by_other_apps_block_publishing(client, editor):
    from apps.editorial import workflow

    def no_todo(body: str) -> list[str]:
        return ["remove the TODO"] if "TODO" in body else []

    workflow.register_section_check(no_todo)
    try:
        article = ready_article(status=S.REVIEW)
        article.sections.filter(position=0).update(body="TODO: finish")
        client.force_login(editor)
        response = client.post(change_url(article), form_data(article, _transition="publish"))
        assert response.status_code == 200
        assert "remove the TODO" in response.content.decode()
    finally:
        workflow.SECTION_CHECKS.remove(no_todo)


def test_roles_exist_with_their_key_permissions():
    from django.contrib.auth.models import Group

    def perms(name):
        group = Group.objects.get(name=name)
        return {
            f"{p.content_type.app_label}.{p.codename}"
            for p in group.permissions.select_related("content_type")
        }

    writer, editor, admin = perms("Writer"), perms("Editor"), perms("Administrator")
    assert "articles.submit_article" in writer
    assert "articles.publish_article" not in writer
    assert "articles.edit_any_article" not in writer
    assert {"articles.publish_article", "articles.edit_any_article"} <= editor
    assert "auth.change_user" not in editor
    assert {"auth.change_user", "regions.delete_region", "articles.publish_article"} <= admin
