from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from apps.articles.models import Article
from apps.regions.models import Region, Theme
from tests.factories import ArticleFactory, AuthorFactory, SectionFactory

PASSWORD = "a-long-test-password"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def make_user(django_user_model):
    def make(username: str, role: str | None = None, **extra):
        user = django_user_model.objects.create_user(
            username, password=PASSWORD, is_staff=True, **extra
        )
        if role:
            user.groups.add(Group.objects.get(name=role))
        return user

    return make


@pytest.fixture
def writer(make_user):
    return make_user("wendy", "Writer", first_name="Wendy", last_name="Writer")


@pytest.fixture
def other_writer(make_user):
    return make_user("walter", "Writer")


@pytest.fixture
def editor(make_user):
    return make_user("edith", "Editor", first_name="Edith", last_name="Editor")


@pytest.fixture
def second_editor(make_user):
    return make_user("ed", "Editor", first_name="Ed", last_name="Second")


@pytest.fixture
def administrator(make_user):
    return make_user("ada", "Administrator")


@pytest.fixture
def login(client):
    def as_user(user):
        client.force_login(user)
        return client

    return as_user


def ready_article(owner=None, status=Article.Status.DRAFT, sections=3, **kwargs) -> Article:
    """An article that passes the publishing checks: dek, a region, headed sections."""
    defaults = {"publish_at": None} if status != Article.Status.PUBLISHED else {}
    article = ArticleFactory(
        status=status,
        created_by=owner,
        regions=[Region.objects.get(slug="south-korea")],
        themes=[Theme.objects.get(slug="hedging")],
        authors=[AuthorFactory()],
        tags=["alliances"],
        **{**defaults, **kwargs},
    )
    for n in range(sections):
        SectionFactory(article=article, position=n, heading=f"Part {n + 1}", body=f"Body {n + 1}.")
    return article


def change_url(article: Article) -> str:
    return reverse("admin:articles_article_change", args=[article.pk])


def form_data(article: Article, **overrides) -> dict:
    """The change form's POST data for `article` as it is in the database now."""
    article.refresh_from_db()
    data = {
        "title": article.title,
        "slug": article.slug,
        "dek": article.dek,
        "lead": article.lead,
        "takeaways": "\n".join(article.takeaways),
        "format": article.format_id,
        "regions": [r.pk for r in article.regions.all()],
        "themes": [t.pk for t in article.themes.all()],
        "tags": ", ".join(sorted(article.tags.names())),
        "seo_title": article.seo_title,
        "seo_description": article.seo_description,
        "link_vocabulary": "on",
        "based_on_version": str(article.version),
    }
    if article.featured:
        data["featured"] = "on"
    if article.publish_at:
        local = timezone.localtime(article.publish_at)
        data["publish_at_0"] = local.strftime("%Y-%m-%d")
        data["publish_at_1"] = local.strftime("%H:%M:%S")
    bylines = list(article.bylines.all())
    data.update(
        {"bylines-TOTAL_FORMS": str(len(bylines)), "bylines-INITIAL_FORMS": str(len(bylines))}
    )
    for i, byline in enumerate(bylines):
        data.update(
            {
                f"bylines-{i}-id": byline.pk,
                f"bylines-{i}-article": article.pk,
                f"bylines-{i}-author": byline.author_id,
                f"bylines-{i}-position": byline.position,
            }
        )
    sections = list(article.sections.all())
    data.update(
        {"sections-TOTAL_FORMS": str(len(sections)), "sections-INITIAL_FORMS": str(len(sections))}
    )
    for i, section in enumerate(sections):
        data.update(
            {
                f"sections-{i}-id": section.pk,
                f"sections-{i}-article": article.pk,
                f"sections-{i}-position": section.position,
                f"sections-{i}-heading": section.heading,
                f"sections-{i}-anchor": section.anchor,
                f"sections-{i}-body": section.body,
            }
        )
    data.update(overrides)
    return data


def in_an_hour():
    return timezone.now() + timedelta(hours=1)
