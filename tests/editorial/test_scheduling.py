from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.articles.models import Article

from .conftest import change_url, form_data, ready_article

pytestmark = pytest.mark.django_db


def test_editor_schedules_an_article_that_appears_only_at_its_time(client, editor, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    article = ready_article(status=Article.Status.REVIEW, title="Scheduled piece")
    when = timezone.now() + timedelta(hours=2)
    local = timezone.localtime(when)
    client.force_login(editor)
    data = form_data(
        article,
        _transition="publish",
        publish_at_0=local.strftime("%Y-%m-%d"),
        publish_at_1=local.strftime("%H:%M:%S"),
    )
    response = client.post(change_url(article), data, follow=True)
    assert "was scheduled" in response.content.decode()
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED
    client.logout()

    assert not Article.objects.published().filter(pk=article.pk).exists()
    assert client.get(article.get_absolute_url()).status_code == 404
    assert "Scheduled piece" not in client.get("/").content.decode()

    time_machine.move_to(when - timedelta(seconds=1), tick=False)
    assert client.get(article.get_absolute_url()).status_code == 404

    time_machine.move_to(when + timedelta(seconds=1), tick=False)
    assert Article.objects.published().filter(pk=article.pk).exists()
    assert client.get(article.get_absolute_url()).status_code == 200


def test_publish_with_an_empty_time_publishes_now(client, editor):
    article = ready_article(status=Article.Status.REVIEW)
    client.force_login(editor)
    client.post(change_url(article), form_data(article, _transition="publish"))
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED
    assert article.publish_at <= timezone.now()
    assert client.get(article.get_absolute_url()).status_code == 200


def test_admin_names_the_site_time_zone(client, editor, settings):
    settings.TIME_ZONE = "Asia/Seoul"
    article = ready_article(
        status=Article.Status.PUBLISHED, publish_at=timezone.now() + timedelta(days=1)
    )
    client.force_login(editor)
    listing = client.get(reverse("admin:articles_article_changelist")).content.decode()
    assert "Publish time (Asia/Seoul)" in listing
    assert "KST (Asia/Seoul)" in listing
    page = client.get(change_url(article)).content.decode()
    assert "Asia/Seoul (UTC+0900)" in page
    assert "Scheduled for" in page


def test_calendar_shows_scheduled_and_recent_articles_by_day(client, editor):
    now = timezone.now()
    ready_article(status=Article.Status.PUBLISHED, publish_at=now + timedelta(hours=1),
                  title="Coming soon")  # fmt: skip
    ready_article(status=Article.Status.PUBLISHED, publish_at=now - timedelta(hours=1),
                  title="Just out")  # fmt: skip
    ready_article(title="Only a draft")
    client.force_login(editor)
    url = reverse("admin:articles_article_calendar")
    page = client.get(url, {"day": timezone.localdate().isoformat(), "span": "day"})
    text = page.content.decode()
    assert page.status_code == 200
    assert "Coming soon" in text and "Scheduled" in text
    assert "Only a draft" not in text
    week = client.get(url).content.decode()
    assert "Coming soon" in week
    # Bad parameters fall back to this week rather than failing.
    assert client.get(url, {"day": "not-a-date\x00", "span": "year"}).status_code == 200
