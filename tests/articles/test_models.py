import re
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from apps.articles.models import Article, Section
from tests.factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db


def test_published_includes_only_published_articles_whose_time_has_come():
    now = timezone.now()
    live = ArticleFactory(publish_at=now - timedelta(minutes=1))
    ArticleFactory(status=Article.Status.DRAFT, publish_at=None)
    ArticleFactory(status=Article.Status.DRAFT, publish_at=now - timedelta(days=1))
    ArticleFactory(status=Article.Status.REVIEW, publish_at=now - timedelta(days=1))
    ArticleFactory(status=Article.Status.UNPUBLISHED, publish_at=now - timedelta(days=1))
    ArticleFactory(publish_at=now + timedelta(minutes=1))

    assert list(Article.objects.published()) == [live]


def test_scheduled_article_becomes_public_when_its_time_comes(monkeypatch):
    now = timezone.now()
    scheduled = ArticleFactory(publish_at=now + timedelta(hours=2))
    assert not Article.objects.published().filter(pk=scheduled.pk).exists()

    monkeypatch.setattr(timezone, "now", lambda: now + timedelta(hours=2, seconds=1))
    assert Article.objects.published().filter(pk=scheduled.pk).exists()
    assert scheduled.is_public


def test_publishing_without_a_time_stamps_now_and_first_published():
    article = ArticleFactory(publish_at=None)
    assert article.publish_at is not None
    assert article.first_published_at == article.publish_at


def test_database_refuses_a_published_article_without_a_publish_time():
    article = ArticleFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.filter(pk=article.pk).update(publish_at=None)


def test_database_refuses_duplicate_and_empty_slugs():
    ArticleFactory(slug="same")
    with pytest.raises(IntegrityError), transaction.atomic():
        ArticleFactory(slug="same")
    article = ArticleFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.filter(pk=article.pk).update(slug="")


def test_slug_is_made_from_title_and_kept_unique():
    first = ArticleFactory(title="Alliance Under Pressure", slug="")
    second = ArticleFactory(title="Alliance under pressure!", slug="")
    assert first.slug == "alliance-under-pressure"
    assert second.slug == "alliance-under-pressure-2"


@pytest.mark.parametrize(
    "title",
    ["日米韓の安全保障協力", "한미 동맹의 미래", "日本とアメリカ"],
)
def test_cjk_titles_get_a_valid_non_empty_ascii_slug(title):
    article = ArticleFactory(title=title, slug="")
    assert article.slug
    assert article.slug.isascii()
    assert article.get_absolute_url() == f"/articles/{article.slug}/"


def test_section_anchor_is_derived_from_heading_and_unique_within_article():
    article = ArticleFactory()
    first = SectionFactory(article=article, heading="The North Korea Factor", anchor="")
    second = SectionFactory(article=article, heading="The North Korea factor", anchor="")
    other = SectionFactory(heading="The North Korea Factor", anchor="")
    assert first.anchor == "the-north-korea-factor"
    assert second.anchor == "the-north-korea-factor-2"
    assert other.anchor == "the-north-korea-factor"


def test_section_anchor_stays_when_heading_changes():
    section = SectionFactory(heading="Trade Frictions", anchor="")
    section.heading = "Trade Frictions Deepen"
    section.save()
    section.refresh_from_db()
    assert section.anchor == "trade-frictions"


def test_database_refuses_duplicate_anchor_in_one_article():
    article = ArticleFactory()
    SectionFactory(article=article, anchor="same")
    with pytest.raises(IntegrityError), transaction.atomic():
        SectionFactory(article=article, anchor="same")
        # The constraint is deferred (so anchors can be swapped); check it now, not at commit.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_no_index_of_the_archive_tables_repeats_the_start_of_another():
    """Migration 0014: a btree index whose columns begin another index (or unique
    constraint) of the table serves no lookup the other cannot, and costs every write."""
    tables = ["articles_article", "articles_section", "articles_byline", "articles_taggedarticle"]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indrelid::regclass::text, i.indexrelid::regclass::text,"
            " string_to_array(i.indkey::text, ' ')"
            " FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
            " JOIN pg_am am ON am.oid = c.relam"
            " WHERE i.indrelid::regclass::text = ANY(%s) AND am.amname = 'btree'"
            " AND i.indpred IS NULL",
            [tables],
        )
        indexes = cursor.fetchall()
    repeated = [
        (index, other)
        for table, index, keys in indexes
        for other_table, other, other_keys in indexes
        if table == other_table and index != other and other_keys[: len(keys)] == keys
    ]
    assert len({table for table, _, _ in indexes}) == len(tables)
    assert repeated == []


def test_an_articles_sections_are_found_by_an_index():
    article = SectionFactory().article
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = Section.objects.filter(article=article).explain()
    assert "Index Cond: (article_id = " in plan


def test_anchors_can_be_swapped_in_one_transaction():
    article = ArticleFactory()
    a = SectionFactory(article=article, anchor="a")
    b = SectionFactory(article=article, anchor="b")
    with transaction.atomic():
        Section.objects.filter(pk=a.pk).update(anchor="b")
        Section.objects.filter(pk=b.pk).update(anchor="a")
    assert set(article.sections.values_list("anchor", flat=True)) == {"a", "b"}


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>",
        '<a href="javascript:alert(1)">x</a>',
        "[x](javascript:alert(1))",
        '<img src=x onerror="alert(1)">',
        '<p onclick="alert(1)">x</p>',
        '<a href="JaVaScRiPt:alert(1)">x</a>',
        '<svg onload="alert(1)"></svg>',
        '<iframe src="https://example.org"></iframe>',
    ],
)
def test_section_html_never_carries_scripts_handlers_or_javascript_urls(payload):
    section = SectionFactory(body=f"Before.\n\n{payload}\n\nAfter.")
    html = section.body_html.lower()
    assert "<script" not in html
    assert not re.search(r"=\s*[\"']?\s*javascript:", html)
    assert "onerror" not in html and "onclick" not in html and "onload" not in html
    assert "<iframe" not in html
    assert "before." in html and "after." in html


def test_markdown_tables_and_footnotes_render():
    section = SectionFactory(
        anchor="costs", body="| a | b |\n|---|---|\n| 1 | 2 |\n\nA claim.[^1]\n\n[^1]: A source."
    )
    assert "<table>" in section.body_html
    assert 'id="fn-costs-1"' in section.body_html


def test_reading_time_counts_the_sections():
    article = ArticleFactory()
    SectionFactory(article=article, body="word " * 1150)
    article.refresh_derived()
    article.refresh_from_db()
    assert article.reading_time == 5
