"""The rows behind the hubs' "sections elsewhere" (apps/regions/elsewhere.py): exact after every
write path, and the list read from them the same as its definition over articles and sections."""

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.articles.models import Article, Section
from apps.regions import elsewhere, hubs
from apps.regions.models import Region, Theme
from tests.factories import ArticleFactory, RegionFactory, SectionFactory, ThemeFactory

pytestmark = pytest.mark.django_db

RELATIONS = ("regions", "themes")


def expected_rows(relation: str) -> set[tuple]:
    """Every (section, term, article, publish time) the table should hold, from scratch."""
    rows = set()
    sections = Section.objects.select_related("article").prefetch_related(
        relation, f"article__{relation}"
    )
    for section in sections:
        own = {term.pk for term in getattr(section.article, relation).all()}
        for term in getattr(section, relation).all():
            if term.pk not in own:
                rows.add((section.pk, term.pk, section.article_id, section.article.publish_at))
    return rows


def stored_rows(relation: str) -> set[tuple]:
    model, fk = elsewhere.RELATIONS[relation]
    return set(model.objects.values_list("section_id", fk, "article_id", "publish_at"))


def assert_exact() -> None:
    for relation in RELATIONS:
        assert stored_rows(relation) == expected_rows(relation), relation


def defined_list(relation: str, term: Region | Theme, limit: int) -> list[tuple]:
    """What the hub lists, by its definition: sections on the term inside published articles
    not on it, newest articles first, each article's sections in order."""
    sections = (
        Section.objects.filter(**{relation: term}, article__in=Article.objects.published())
        .exclude(**{f"article__{relation}": term})
        .order_by("-article__publish_at", "-article_id", "position", "pk")
    )
    return list(sections.values_list("heading", "anchor", "article__title", "article__slug"))[
        :limit
    ]


@pytest.fixture
def vocabulary():
    regions = [RegionFactory(slug=f"elsewhere-region-{i}") for i in range(4)]
    themes = [ThemeFactory(slug=f"elsewhere-theme-{i}") for i in range(3)]
    return regions, themes


@pytest.fixture
def archive(vocabulary):
    """Forty articles in every state, some sharing a publish time, each with one to four
    sections out of id order, terms drawn at random on articles and sections alike."""
    regions, themes = vocabulary
    rng = random.Random(8)
    now = timezone.now()
    shared_time = now - timedelta(days=3)
    states = [
        {},
        {},
        {},
        {"publish_at": shared_time},
        {"status": Article.Status.DRAFT, "publish_at": None},
        {"status": Article.Status.DRAFT, "publish_at": now - timedelta(days=1)},
        {"status": Article.Status.UNPUBLISHED, "publish_at": now - timedelta(days=2)},
        {"publish_at": now + timedelta(days=2)},
    ]
    articles = []
    for i in range(40):
        fields = {"publish_at": now - timedelta(hours=rng.randrange(1, 500)), **states[i % 8]}
        article = ArticleFactory(
            title=f"Piece {i}",
            regions=rng.sample(regions, rng.randint(0, 2)),
            themes=rng.sample(themes, rng.randint(0, 1)),
            **fields,
        )
        positions = rng.sample(range(10), rng.randint(1, 4))
        for position in positions:
            section = SectionFactory(article=article, position=position)
            section.regions.set(rng.sample(regions, rng.randint(0, 2)))
            section.themes.set(rng.sample(themes, rng.randint(0, 2)))
        article.refresh_derived()
        articles.append(article)
    return articles


def test_rows_are_exact_after_building_an_archive_through_the_save_paths(archive):
    assert_exact()
    assert stored_rows("regions") and stored_rows("themes")


@pytest.mark.parametrize("limit", [8, 3, 100])
def test_hub_list_is_its_definition_for_every_term(archive, vocabulary, limit):
    regions, themes = vocabulary
    for relation, terms in (("regions", regions), ("themes", themes)):
        for term in terms:
            found = hubs.sections_elsewhere(relation, term, limit=limit)
            listed = [(s.heading, s.anchor, s.article_title, s.article_slug) for s in found]
            assert listed == defined_list(relation, term, limit), (relation, term.slug)
    # Not vacuous: some lists are full, and articles on the term hold tagged sections too.
    assert any(len(defined_list("regions", r, 8)) == 8 for r in regions)
    assert Section.objects.filter(regions__in=regions, article__regions__in=regions).exists()


def test_hub_list_is_one_query(archive, vocabulary, django_assert_num_queries):
    with django_assert_num_queries(1):
        hubs.sections_elsewhere("themes", vocabulary[1][0])


def test_visibility_is_decided_on_the_article_row(archive, vocabulary):
    region = vocabulary[0][0]
    first = hubs.sections_elsewhere("regions", region)[0]
    # A bulk status change writes no derived rows: the article's own row still decides.
    Article.objects.filter(slug=first.article_slug).update(status=Article.Status.DRAFT)
    assert first.article_slug not in {
        s.article_slug for s in hubs.sections_elsewhere("regions", region)
    }


def test_rows_follow_publish_times_by_save_and_by_bulk_update(archive):
    article = next(a for a in archive if a.sections.filter(regions__isnull=False).exists())
    article.publish_at = timezone.now() - timedelta(days=900)
    article.save()
    assert_exact()
    Article.objects.filter(pk__in=[a.pk for a in archive[:10]]).update(
        publish_at=timezone.now() - timedelta(days=5)
    )
    assert_exact()


def test_rows_follow_an_articles_terms_from_either_side(archive, vocabulary):
    regions, themes = vocabulary
    article = archive[0]
    article.regions.set(regions[:3])
    assert_exact()
    article.regions.remove(regions[0])
    article.themes.add(*themes)
    assert_exact()
    article.regions.clear()
    article.themes.clear()
    assert_exact()
    regions[1].articles.add(*archive[5:9])
    themes[0].articles.remove(*archive[:20])
    assert_exact()
    regions[1].articles.clear()
    themes[2].articles.clear()
    assert_exact()


def test_rows_follow_a_sections_terms_from_either_side(archive, vocabulary):
    regions, themes = vocabulary
    section = archive[1].sections.first()
    section.regions.set(regions)
    section.themes.add(themes[1])
    assert_exact()
    section.regions.remove(regions[2])
    section.themes.clear()
    assert_exact()
    sections = list(Section.objects.filter(article__in=archive[10:20]))
    regions[3].sections.add(*sections)
    themes[1].sections.remove(*sections)
    assert_exact()
    regions[0].sections.clear()
    themes[0].sections.clear()
    assert_exact()


def test_rows_follow_sections_and_articles_created_and_deleted(archive, vocabulary):
    regions, _ = vocabulary
    section = SectionFactory(article=archive[2], position=20)
    section.regions.add(*regions)
    assert_exact()
    archive[3].sections.first().delete()
    Section.objects.filter(article=archive[4]).delete()
    assert_exact()
    archive[5].delete()
    Article.objects.filter(pk__in=[a.pk for a in archive[6:9]]).delete()
    assert_exact()


def test_terms_written_in_bulk_are_picked_up_by_refresh_derived(archive, vocabulary):
    """As the demo loader writes them: through rows in bulk, then `refresh_derived`."""
    regions, _ = vocabulary
    article = archive[12]
    Section.regions.through.objects.bulk_create(
        [Section.regions.through(section=s, region=regions[3]) for s in article.sections.all()],
        ignore_conflicts=True,
    )
    article.refresh_derived()
    assert_exact()


def test_a_sync_costs_three_queries(archive, django_assert_num_queries):
    with django_assert_num_queries(3):
        elsewhere.sync([a.pk for a in archive[:5]])


def test_rebuild_all_writes_the_same_rows(archive):
    before = {relation: stored_rows(relation) for relation in RELATIONS}
    elsewhere.SectionRegionElsewhere.objects.all().delete()
    elsewhere.rebuild_all()
    assert {relation: stored_rows(relation) for relation in RELATIONS} == before
    assert_exact()
