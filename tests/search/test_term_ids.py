"""Each article's region, theme and author ids on its row (`Article.facet_region_ids`…), which
the search facets and result chips read: kept in step by every way those relations change."""

import pytest
from django.urls import reverse

from apps.articles.models import Article, Byline
from apps.search.vectors import sync_term_ids
from tests.factories import ArticleFactory, AuthorFactory, RegionFactory, ThemeFactory

pytestmark = pytest.mark.django_db


def stored(article) -> tuple[list[int], list[int], list[int]]:
    return Article.objects.values_list(
        "facet_region_ids", "facet_theme_ids", "facet_author_ids"
    ).get(pk=article.pk)


def truth(article) -> tuple[list[int], list[int], list[int]]:
    return (
        sorted(article.regions.values_list("pk", flat=True)),
        sorted(article.themes.values_list("pk", flat=True)),
        sorted(article.bylines.values_list("author_id", flat=True)),
    )


def test_the_ids_follow_the_relations_edited_from_the_article():
    japan, korea = RegionFactory(slug="japan"), RegionFactory(slug="korea")
    trade = ThemeFactory(slug="trade")
    article = ArticleFactory(regions=[japan], themes=[trade], authors=[AuthorFactory()])
    assert stored(article) == truth(article) == ([japan.pk], [trade.pk], truth(article)[2])

    article.regions.add(korea)
    assert stored(article)[0] == sorted([japan.pk, korea.pk])
    article.regions.remove(japan)
    assert stored(article)[0] == [korea.pk]
    article.themes.clear()
    assert stored(article)[1] == []
    article.regions.set([japan])
    assert stored(article) == truth(article)


def test_the_ids_follow_the_relations_edited_from_the_term():
    japan = RegionFactory(slug="japan")
    security = ThemeFactory(slug="security")
    first, second = ArticleFactory(), ArticleFactory()

    japan.articles.add(first, second)
    security.articles.add(second)
    assert stored(first)[0] == stored(second)[0] == [japan.pk]
    assert stored(second)[1] == [security.pk]

    japan.articles.remove(first)
    assert stored(first)[0] == [] and stored(second)[0] == [japan.pk]
    security.articles.clear()
    assert stored(second)[1] == []
    japan.articles.clear()
    assert stored(second)[0] == []


def test_the_ids_follow_the_bylines():
    article = ArticleFactory()
    one, two = AuthorFactory(), AuthorFactory()
    Byline.objects.create(article=article, author=one, position=0)
    byline = Byline.objects.create(article=article, author=two, position=1)
    assert stored(article)[2] == sorted([one.pk, two.pk])
    byline.delete()
    assert stored(article)[2] == [one.pk]


def test_a_write_around_the_signals_is_mended_by_the_refresh_every_save_path_runs():
    article = ArticleFactory(regions=[RegionFactory()])
    Article.objects.filter(pk=article.pk).update(facet_region_ids=[], facet_author_ids=[999])
    assert stored(article) != truth(article)
    article.refresh_derived()
    assert stored(article) == truth(article)
    # and the explicit sync writes only rows that differ
    sync_term_ids([article.pk])
    assert stored(article) == truth(article)


def test_a_deleted_term_counts_nowhere(client, publish):
    japan, gone = RegionFactory(slug="japan", name="Japan"), RegionFactory(slug="gone", name="Gone")
    publish(title="Fisheries talks", regions=[japan, gone])
    gone_pk = gone.pk
    gone.delete()  # the link rows go by cascade, without m2m_changed
    assert gone_pk not in truth(Article.objects.get())[0]

    response = client.get(reverse("search:results"), {"q": "fisheries"})
    assert response.status_code == 200
    regions = {v.key: v.count for v in response.context["facets"].groups["region"]}
    assert regions == {"japan": 1}
    assert "Gone" not in response.content.decode()
