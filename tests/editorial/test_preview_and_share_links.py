from datetime import timedelta

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from apps.articles.models import Article
from apps.editorial.models import SHARE_SALT, AuditEntry, ShareLink

from .conftest import ready_article

pytestmark = pytest.mark.django_db


def preview_url(article: Article) -> str:
    return reverse("editorial:preview", args=[article.pk])


def test_staff_preview_shows_a_draft_as_readers_will_see_it(client, writer):
    article = ready_article(title="Seoul hedges quietly")
    client.force_login(writer)
    response = client.get(preview_url(article))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Preview — not published" in page
    assert "Seoul hedges quietly" in page
    assert "Part 3" in page  # the sections, through the reader's own template
    assert "articles/detail.html" in [t.name for t in response.templates]
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Robots-Tag"].startswith("noindex")


def test_the_public_url_of_a_draft_is_404(client):
    article = ready_article()
    assert client.get(article.get_absolute_url()).status_code == 404


def test_preview_sends_anonymous_visitors_to_the_login_page(client):
    article = ready_article()
    response = client.get(preview_url(article))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_preview_is_404_for_staff_without_change_permission(client, make_user):
    article = ready_article()
    client.force_login(make_user("viewer"))
    assert client.get(preview_url(article)).status_code == 404


def test_editor_shares_a_link_that_works_logged_out(client, editor):
    article = ready_article(title="Draft for reviewers")
    client.force_login(editor)
    response = client.post(reverse("admin:articles_article_share", args=[article.pk]))
    assert response.status_code == 302
    link = ShareLink.objects.get(article=article)
    assert link.created_by == editor
    assert timedelta(days=6, hours=23) < link.expires_at - timezone.now() <= timedelta(days=7)
    assert AuditEntry.objects.filter(action=AuditEntry.Action.SHARED, article=article).exists()
    client.logout()
    shared = client.get(link.get_absolute_url())
    assert shared.status_code == 200
    assert "Draft for reviewers" in shared.content.decode()
    assert "Preview — not published" in shared.content.decode()
    assert shared["Cache-Control"] == "private, no-store"
    assert shared["X-Robots-Tag"].startswith("noindex")


def test_a_share_link_shows_the_current_draft_not_a_copy(client, editor):
    article = ready_article(title="First title")
    link = ShareLink.objects.create(article=article, created_by=editor)
    article.title = "Second title"
    article.save()
    assert "Second title" in client.get(link.get_absolute_url()).content.decode()


def test_an_expired_share_link_is_404(client, editor, time_machine):
    link = ShareLink.objects.create(article=ready_article(), created_by=editor)
    assert client.get(link.get_absolute_url()).status_code == 200
    time_machine.move_to(timezone.now() + timedelta(days=7, minutes=1))
    assert client.get(link.get_absolute_url()).status_code == 404


def test_a_revoked_share_link_is_404(client, editor):
    link = ShareLink.objects.create(article=ready_article(), created_by=editor)
    url = link.get_absolute_url()
    client.force_login(editor)
    client.post(
        reverse("admin:editorial_sharelink_changelist"),
        {"action": "revoke", "_selected_action": [link.pk]},
    )
    client.logout()
    link.refresh_from_db()
    assert link.revoked_at is not None
    assert client.get(url).status_code == 404
    assert AuditEntry.objects.filter(action=AuditEntry.Action.SHARE_REVOKED).exists()


def test_a_tampered_share_link_is_404(client, editor):
    article = ready_article()
    link = ShareLink.objects.create(article=article, created_by=editor)
    other = ShareLink.objects.create(article=ready_article(), created_by=editor)
    token = link.token
    forged = signing.dumps({"id": other.pk, "key": link.key}, salt=SHARE_SALT)
    unsigned = signing.dumps({"id": link.pk, "key": link.key}, salt="another-salt")
    for bad in [token[:-2] + "xx", forged, unsigned, "nonsense", token.replace(":", "")]:
        assert client.get(reverse("editorial:share", args=[bad])).status_code == 404, bad


def test_writers_cannot_create_share_links(client, writer):
    article = ready_article(owner=writer)
    client.force_login(writer)
    response = client.post(reverse("admin:articles_article_share", args=[article.pk]))
    assert response.status_code == 403
    assert not ShareLink.objects.exists()
