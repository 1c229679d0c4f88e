"""The benchmark's corpus has the shape the issue asks for, and its shortcuts are faithful.

The corpus is written with COPY and threads compute search vectors on their own connections, so
it is built once for the module, committed, and removed afterwards; each test reads it inside
the usual rolled-back transaction.
"""

import pytest
from django.db import connection
from django.db.models import Count, F

from apps.articles import markdown, reader, rendering
from apps.articles.models import Article, ArticleRender, Section
from bench import corpus, probe

pytestmark = pytest.mark.django_db
N = 120


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        info = corpus.build(N, seed=7, log=lambda message: None)
        yield info
        corpus.remove(info["created"])


def test_corpus_has_the_requested_size_and_records_it(built):
    assert Article.objects.count() == N
    assert corpus.corpus_info()["n"] == N
    assert built["rows"]["section"] == Section.objects.count()


def test_every_article_has_sections_tags_regions_themes_and_a_byline(built):
    counts = Article.objects.annotate(
        n_sections=Count("sections", distinct=True),
        n_tags=Count("tagged_items", distinct=True),
        n_regions=Count("regions", distinct=True),
        n_themes=Count("themes", distinct=True),
        n_bylines=Count("bylines", distinct=True),
    ).values_list("n_sections", "n_tags", "n_regions", "n_themes", "n_bylines")
    for sections, tags, regions, themes, bylines in counts:
        assert 3 <= sections <= 8
        assert 3 <= tags <= 20
        assert 1 <= regions <= 3
        assert 1 <= themes <= 2
        assert 1 <= bylines <= 3


def test_a_few_articles_are_drafts_or_scheduled_and_never_public(built):
    public = Article.objects.published().count()
    assert N * 0.85 <= public < N
    hidden = Article.objects.exclude(pk__in=Article.objects.published().values("pk"))
    assert hidden.exists()


def test_stored_html_is_exactly_what_the_renderer_makes_of_the_markdown(built):
    for section in Section.objects.all():
        assert section.body_html == markdown.render(section.body, doc_id=section.anchor)
    for article in Article.objects.exclude(lead=""):
        assert article.lead_html == markdown.render(article.lead, doc_id="lead")


def test_links_in_the_text_are_in_the_link_graph(built):
    linking = Section.objects.filter(body__contains="](/articles/").values_list(
        "article_id", flat=True
    )
    for article in Article.objects.filter(pk__in=linking):
        assert article.links_out.exists()


def test_search_vectors_are_computed_for_every_article(built):
    assert not Article.objects.filter(search_vector__isnull=True).exists()
    assert not Section.objects.filter(search_vector__isnull=True).exists()


def test_common_terms_are_in_most_articles_and_rare_ones_in_few(built):
    terms = built["terms"]
    with connection.cursor() as cursor:

        def share(term: str) -> float:
            cursor.execute(
                "SELECT avg((search_vector @@ plainto_tsquery('english', %s))::int) "
                "FROM articles_article",
                [term],
            )
            return float(cursor.fetchone()[0])

        assert share("policy") > 0.9
        assert all(0 < share(term) < 0.1 for term in terms["rare"])
    assert len(terms["common"] + terms["medium"] + terms["rare"]) >= 40


def test_discovery_offers_only_published_articles(built):
    found = probe.discover(limit=500)
    published = set(Article.objects.published().values_list("slug", flat=True))
    slugs = {path.strip("/").split("/")[-1] for path in found["article_paths"]}
    assert slugs and slugs <= published
    assert found["pages"]["home"] == "/"


def test_every_published_article_has_its_stored_page_and_card_as_the_save_path_makes_them(
    built, settings
):
    settings.SITE_URL = corpus.BENCH_SITE_URL  # the address the benchmark serves it under
    published = Article.objects.filter(status=Article.Status.PUBLISHED)
    renders = {r.article_id: r for r in ArticleRender.objects.all()}
    assert set(renders) == set(published.values_list("pk", flat=True))
    for article in published.order_by("pk")[:5]:
        stored = renders[article.pk]
        assert stored.page_key == stored.card_key == rendering.key_for(article.render_token)
        fresh = rendering.render_page(reader.page_article(Article.objects.all(), pk=article.pk))
        assert stored.body_html == fresh.body and stored.head_html == fresh.head


def test_tag_rows_carry_their_articles_publish_time(built):
    from apps.articles.models import TaggedArticle

    mismatched = TaggedArticle.objects.exclude(publish_at=F("content_object__publish_at"))
    assert not mismatched.exclude(content_object__publish_at__isnull=True).exists()
