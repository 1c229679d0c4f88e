"""An article page's lists of other articles, stored with the page and merged with the changes
since (`apps/articles/nearby.py`): always what a fresh search finds, whatever changed, in one
query while few things changed."""

import random
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.articles import nearby, rendering
from apps.articles.models import Article, ArticleRender
from tests.factories import RegionFactory, ThemeFactory

from .conftest import publish

pytestmark = pytest.mark.django_db


def shown(found: dict) -> dict:
    """Each list as (id, title) pairs: the order and what a teaser prints."""
    pairs = lambda teasers: [(t.pk, t.title, t.publish_at) for t in teasers]  # noqa: E731
    return {
        "related": pairs(found["related"]),
        "region": pairs(found["rails"]["region"]),
        "theme": pairs(found["rails"]["theme"]),
        "referenced_by": pairs(found["referenced_by"]),
    }


def from_stored(article: Article) -> dict:
    page = rendering.published_page(article.slug)
    return nearby.nearby(page.article_id, page.data, page.nearby, page.key)


def fresh(article: Article) -> dict:
    page = rendering.published_page(article.slug)
    return nearby.fresh(page.article_id, page.data)


@pytest.fixture
def vocabulary():
    regions = [RegionFactory(slug=f"region-{i}", name=f"Region {i}") for i in range(3)]
    themes = [ThemeFactory(slug=f"theme-{i}", name=f"Theme {i}") for i in range(3)]
    return regions, themes


def random_piece(rng: random.Random, vocabulary, n: int, **fields) -> Article:
    regions, themes = vocabulary
    return publish(
        title=f"Piece {n}",
        days_ago=rng.uniform(-1, 60) if "days_ago" not in fields else fields.pop("days_ago"),
        regions=rng.sample(regions, rng.randint(1, 2)),
        themes=rng.sample(themes, rng.randint(0, 2)),
        tags=rng.sample([f"tag-{i}" for i in range(8)], rng.randint(0, 3)),
        sections=1,
        **fields,
    )


def link(source: Article, target: Article) -> None:
    """Cite `target` in `source`'s text, as an editor would (sections, then refresh)."""
    section = source.sections.first()
    section.body = f"As [argued before](/articles/{target.slug}/)."
    section.save()
    source.refresh_derived()


@pytest.mark.parametrize("seed", range(4))
def test_merged_lists_are_what_a_fresh_search_finds_after_any_change(vocabulary, seed, monkeypatch):
    rng = random.Random(seed)
    afresh = []
    find = nearby.find
    monkeypatch.setattr(nearby, "find", lambda *a, **k: afresh.append(a) or find(*a, **k))
    pieces = [random_piece(rng, vocabulary, n) for n in range(30)]
    for source in rng.sample(pieces, 6):
        link(source, pieces[0])
    readers = pieces[:6]

    def change(step: int) -> None:
        live = list(Article.objects.filter(pk__in=[p.pk for p in pieces]))
        victim = rng.choice([p for p in live if p not in readers])
        kind = rng.choice(
            ["publish", "unpublish", "retitle", "terms", "delete", "link", "reschedule"]
        )
        if kind == "publish":
            pieces.append(random_piece(rng, vocabulary, 100 + step, days_ago=rng.uniform(0, 5)))
        elif kind == "unpublish":
            victim.status = Article.Status.UNPUBLISHED
            victim.save()
        elif kind == "retitle":
            victim.title = f"{victim.title} (revised)"
            victim.save()
        elif kind == "terms":
            regions, themes = vocabulary
            victim.regions.set(rng.sample(regions, rng.randint(1, 3)))
            victim.themes.set(rng.sample(themes, rng.randint(0, 1)))
            victim.tags.set(rng.sample([f"tag-{i}" for i in range(8)], rng.randint(0, 2)))
            victim.refresh_derived()
        elif kind == "delete":
            pieces[:] = [p for p in pieces if p.pk != victim.pk]
            victim.delete()
        elif kind == "link":
            link(victim, rng.choice(readers))
        else:  # a published piece rescheduled into the next hour, public when the clock says
            victim.publish_at = timezone.now() + timedelta(minutes=rng.randint(1, 50))
            victim.save()

    checks = 0
    for step in range(24):
        change(step)
        checks += len(readers)
        if step % 6 == 5:
            # An hour later: every rescheduled piece has become public without a write.
            with time_machine.travel(timezone.now() + timedelta(hours=1), tick=False):
                for article in readers:
                    assert shown(from_stored(article)) == shown(fresh(article)), step
        else:
            for article in readers:
                assert shown(from_stored(article)) == shown(fresh(article)), step
    # Both roads were taken: many pages merged their stored lists, the others (a shown piece
    # gone from a small archive where every page shows most pieces) found them afresh.
    # (`fresh` calls `find` once per check too.)
    merged = checks - (len(afresh) - checks)
    assert checks / 3 < merged < checks, (merged, checks)


def test_few_changes_cost_one_query_and_are_merged(vocabulary):
    rng = random.Random(7)
    subject = random_piece(rng, vocabulary, 0, days_ago=5)
    for n in range(1, 12):
        random_piece(rng, vocabulary, n, days_ago=n + 5)
    page = rendering.published_page(subject.slug)
    nearby.nearby(page.article_id, page.data, page.nearby, page.key)  # stored afresh
    page = rendering.published_page(subject.slug)
    stored = page.nearby
    # A newer piece on the subject's own terms: first on its rails and among the related.
    newcomer = publish(
        title="Newcomer",
        days_ago=0.5,
        regions=list(subject.regions.all()),
        themes=list(subject.themes.all()),
        tags=list(subject.tags.names()),
        sections=1,
    )
    with CaptureQueriesContext(connection) as queries:
        found = nearby.nearby(page.article_id, page.data, page.nearby, page.key)
    assert len(queries) == 1
    assert found["related"][0].pk == newcomer.pk
    assert found["rails"]["region"][0].pk == newcomer.pk
    assert shown(found) == shown(fresh(subject))
    # Merging stores nothing: the stored lists are the same.
    assert ArticleRender.objects.get(article=subject).nearby == stored


def test_many_changes_find_afresh_once_and_store_again(vocabulary):
    rng = random.Random(8)
    subject = random_piece(rng, vocabulary, 0, days_ago=30)
    page = rendering.published_page(subject.slug)
    for n in range(nearby.CHANGED_LIMIT + 1):
        random_piece(rng, vocabulary, n + 1, days_ago=rng.uniform(0, 20))
    with CaptureQueriesContext(connection) as queries:
        found = nearby.nearby(page.article_id, page.data, page.nearby, page.key)
    # The merge finds too many changes; the snapshot, the lists, and storing them.
    assert len(queries) == 4
    assert "UPDATE" in queries[-1]["sql"]
    assert shown(found) == shown(fresh(subject))
    page = rendering.published_page(subject.slug)
    with CaptureQueriesContext(connection) as queries:
        again = nearby.nearby(page.article_id, page.data, page.nearby, page.key)
    assert len(queries) == 1
    assert shown(again) == shown(found)


def test_drafts_changed_since_never_show(vocabulary):
    rng = random.Random(9)
    subject = random_piece(rng, vocabulary, 0, days_ago=3)
    terms = {
        "regions": list(subject.regions.all()),
        "themes": list(subject.themes.all()),
        "tags": list(subject.tags.names()),
    }
    draft = publish(
        title="Draft", status=Article.Status.DRAFT, publish_at=None, sections=1, **terms
    )
    scheduled = publish(title="Scheduled", days_ago=-1, sections=1, **terms)
    link(draft, subject)
    link(scheduled, subject)
    found = from_stored(subject)
    pks = {t.pk for teasers in (found["related"], found["referenced_by"]) for t in teasers}
    pks |= {t.pk for teasers in found["rails"].values() for t in teasers}
    assert not pks & {draft.pk, scheduled.pk}
    # The scheduled piece shows once its time has come, without a write.
    with time_machine.travel(timezone.now() + timedelta(days=2), tick=False):
        found = from_stored(subject)
        assert scheduled.pk in {t.pk for t in found["referenced_by"]}
        assert shown(found) == shown(fresh(subject))


@pytest.mark.django_db(transaction=True)
def test_changes_committed_by_other_transactions_are_merged(vocabulary):
    """Each write its own transaction (autocommit): the snapshot's xmax, not the sequence,
    tells what came after."""
    rng = random.Random(10)
    subject = random_piece(rng, vocabulary, 0, days_ago=10)
    page = rendering.published_page(subject.slug)
    nearby.nearby(page.article_id, page.data, page.nearby, page.key)
    page = rendering.published_page(subject.slug)
    newcomer = publish(
        title="Newcomer",
        days_ago=0.1,
        regions=list(subject.regions.all()),
        sections=1,
    )
    found = nearby.nearby(page.article_id, page.data, page.nearby, page.key)
    assert found["rails"]["region"][0].pk == newcomer.pk
    assert shown(found) == shown(fresh(subject))


def test_a_bulk_update_marks_its_rows_changed(vocabulary):
    """Django's `bulk_update` runs through `ArticleQuerySet.update`, which marks the rows."""
    rng = random.Random(11)
    subject = random_piece(rng, vocabulary, 0, days_ago=2)
    shared = {"regions": list(subject.regions.all()), "sections": 1}
    others = [publish(title=f"Other {i}", days_ago=3 + i, **shared) for i in range(6)]
    page = rendering.published_page(subject.slug)
    nearby.store(page.article_id, page.key, nearby.find(page.article_id, page.data)[0])
    page = rendering.published_page(subject.slug)
    # The oldest, not on the rail, moved to the front: only its mark says it changed.
    oldest = others[-1]
    oldest.publish_at = timezone.now() - timedelta(minutes=5)
    Article.objects.bulk_update([oldest], ["publish_at"])
    found = nearby.nearby(page.article_id, page.data, page.nearby, page.key)
    assert found["rails"]["region"][0].pk == oldest.pk
    assert shown(found) == shown(fresh(subject))
