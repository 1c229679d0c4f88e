"""The article page: everything a reader, a search engine and a reference manager needs."""

import json
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.articles import nearby, reader, rendering
from apps.articles.models import ArticleLink
from tests.factories import AuthorFactory, SectionFactory

from .conftest import UNPUBLISHED_STATES, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def article(japan, korea, trade, security):
    author = AuthorFactory(name="Hana Sato", slug="hana-sato", role="Senior Fellow")
    second = AuthorFactory(name="Min-jun Kim", slug="min-jun-kim")
    article = publish(
        title="Alliance under pressure",
        slug="alliance-under-pressure",
        dek="Tokyo and Seoul read Washington's signals.",
        regions=[japan],
        themes=[security],
        tags=["alliances", "deterrence"],
        authors=[author, second],
        sections=0,
        seo_title="Alliance pressure: an analysis",
        seo_description="An SEO description <b>with</b> markup-like text",
    )
    article.last_updated_at = article.publish_at + timedelta(hours=3)
    article.save()
    SectionFactory(
        article=article,
        position=0,
        heading="A longstanding alliance",
        body="Japan and South Korea rely on Trade and on Security. Japan again.",
    )
    factor = SectionFactory(
        article=article, position=1, heading="The North Korea factor", body="Deterrence."
    )
    factor.regions.set([korea])
    factor.themes.set([trade])
    article.refresh_derived()
    return article


def get(client, article):
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def json_ld(html: str) -> list[dict]:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return [json.loads(b) for b in blocks]


def test_article_page_shows_title_dek_bylines_dates_with_time_zone_and_reading_time(
    client, article
):
    html = get(client, article)
    assert '<h1 id="article-title" class="article__title">Alliance under pressure</h1>' in html
    assert "Tokyo and Seoul read Washington&#x27;s signals." in html
    assert 'href="/authors/hana-sato/" rel="author">Hana Sato</a>' in html
    assert 'href="/authors/min-jun-kim/" rel="author">Min-jun Kim</a>' in html
    assert re.search(r"Published <time datetime=\"[^\"]+\+00:00\">[^<]+ UTC</time>", html)
    assert re.search(r"Updated <time datetime=\"[^\"]+\">[^<]+ UTC</time>", html)
    assert "min read" in html
    assert 'href="/formats/analysis/"' in html


def test_chips_link_to_hubs_and_sections_carry_their_own(client, article):
    html = get(client, article)
    header = html.split('<div class="article__layout">')[0]
    assert 'class="chip chip--region" href="/regions/japan/">Japan</a>' in header
    assert 'class="chip chip--theme" href="/themes/security/">Security</a>' in header
    factor = html.split('id="the-north-korea-factor"')[1].split("</section>")[0]
    assert 'href="/regions/south-korea/">South Korea</a>' in factor
    assert 'href="/themes/trade/">Trade</a>' in factor


def test_table_of_contents_links_to_stable_section_anchors(client, article):
    html = get(client, article)
    assert '<a href="#a-longstanding-alliance">A longstanding alliance</a>' in html
    assert '<a href="#the-north-korea-factor">The North Korea factor</a>' in html
    assert '<section class="article__section" id="the-north-korea-factor"' in html


def test_takeaways_and_tags_are_shown(client, article):
    html = get(client, article)
    assert "Key takeaways" in html and "<li>First point</li>" in html
    assert '<a href="/tags/alliances/">alliances</a>' in html


def test_first_mention_of_region_and_theme_names_links_to_their_hubs(client, article):
    html = get(client, article)
    body = html.split('id="a-longstanding-alliance"')[1].split("</section>")[0]
    assert body.count('class="term-link" href="/regions/japan/"') == 1
    assert 'class="term-link" href="/regions/south-korea/">South Korea</a>' in body
    assert 'class="term-link" href="/themes/trade/">Trade</a>' in body


def test_editors_can_switch_vocabulary_links_off_per_article(client, article):
    article.link_vocabulary = False
    article.save()
    assert "term-link" not in get(client, article)


def test_links_between_articles_are_recorded_and_shown_as_referenced_by(client, article):
    citing = publish(title="A citing piece", slug="citing", sections=0)
    SectionFactory(
        article=citing, body=f"As [argued](/articles/{article.slug}/#the-north-korea-factor)."
    )
    citing.refresh_derived()
    assert list(ArticleLink.objects.values_list("source", "target")) == [(citing.pk, article.pk)]
    html = get(client, article)
    referenced = html.split('id="referenced-heading"')[1].split("</section>")[0]
    assert 'href="/articles/citing/"' in referenced

    section = citing.sections.get()
    section.body = "No link any more."
    section.save()
    citing.refresh_derived()
    assert not ArticleLink.objects.exists()
    assert "Referenced by" not in get(client, article)


def test_related_analysis_ranks_by_shared_terms_then_recency(
    client, article, japan, security, trade
):
    both_old = publish(
        title="Shares region and theme", regions=[japan], themes=[security], days_ago=30
    )
    region_new = publish(title="Shares region only, newer", regions=[japan], days_ago=2)
    region_old = publish(title="Shares region only, older", regions=[japan], days_ago=20)
    tag_and_both = publish(
        title="Shares all three",
        regions=[japan],
        themes=[security],
        tags=["alliances"],
        days_ago=40,
    )
    publish(title="Shares nothing", themes=[trade], days_ago=1)
    response = client.get(article.get_absolute_url())
    assert [a.pk for a in response.context["related"]] == [
        tag_and_both.pk,
        both_old.pk,
        region_new.pk,
        region_old.pk,
    ]


def _related(article, **kwargs) -> list[int]:
    page = rendering.published_page(article.slug)
    return [a.pk for a in nearby.fresh(page.article_id, page.data, **kwargs)["related"]]


def test_related_candidates_are_the_newest_few_per_shared_term_so_cost_stays_bounded(
    article, japan, security
):
    old_best = publish(
        title="Old, shares region and theme", regions=[japan], themes=[security], days_ago=90
    )
    newest_japan = publish(title="Newest on Japan", regions=[japan], days_ago=1)
    older_japan = publish(title="Older on Japan", regions=[japan], days_ago=5)
    newest_security = publish(title="Newest on Security", themes=[security], days_ago=2)

    assert _related(article) == [old_best.pk, newest_japan.pk, newest_security.pk, older_japan.pk]
    # One candidate per term: the newest on Japan and on Security; the older pieces are not
    # scored at all, however many terms they share.
    assert _related(article, per_term=1) == [newest_japan.pk, newest_security.pk]


def test_a_new_article_reaches_the_related_rail_of_an_older_one(article, japan, security):
    for days in range(10, 14):
        publish(title=f"Filler {days}", regions=[japan], themes=[security], days_ago=days)
    newcomer = publish(title="Newcomer", regions=[japan], themes=[security], days_ago=0.1)
    assert _related(article, per_term=2)[0] == newcomer.pk


def test_unpublished_pieces_take_no_related_candidate_slot(article, japan):
    visible = publish(title="Visible on Japan", regions=[japan], days_ago=3)
    for state in UNPUBLISHED_STATES.values():
        fields = {k: v for k, v in state.items() if k != "days_ago"}
        publish(
            title=f"Hidden {state}", regions=[japan], days_ago=state.get("days_ago", 0.5), **fields
        )
    assert _related(article, per_term=1) == [visible.pk]


def test_more_on_rails_list_the_latest_other_articles_on_the_primary_region_and_theme(
    client, article, japan, security
):
    on_japan = publish(title="On Japan", regions=[japan], days_ago=3)
    on_security = publish(title="On security", themes=[security], days_ago=4)
    html = get(client, article)
    assert 'More on <a href="/regions/japan/">Japan</a>' in html
    assert 'More on <a href="/themes/security/">Security</a>' in html
    region_rail = html.split('id="rail-region-heading"')[1].split("</section>")[0]
    assert on_japan.get_absolute_url() in region_rail
    assert on_security.get_absolute_url() not in region_rail


def test_metadata_uses_seo_overrides_canonical_opengraph_and_twitter(client, article, settings):
    settings.SITE_URL = "https://meridian.example"
    html = get(client, article)
    assert "<title>Alliance pressure: an analysis — " in html
    assert (
        '<meta name="description" content="An SEO description &lt;b&gt;with&lt;/b&gt;' not in html
    )
    assert '<meta name="description" content="An SEO description with markup-like text">' in html
    canonical = "https://meridian.example/articles/alliance-under-pressure/"
    assert f'<link rel="canonical" href="{canonical}">' in html
    assert f'<meta property="og:url" content="{canonical}">' in html
    assert '<meta property="og:type" content="article">' in html
    assert '<meta name="twitter:card" content="summary">' in html


def test_json_ld_describes_the_article_and_its_breadcrumbs(client, article, settings):
    settings.SITE_URL = "https://meridian.example"
    data = json_ld(get(client, article))
    news, crumbs = data
    assert news["@type"] == "AnalysisNewsArticle"
    assert [a["name"] for a in news["author"]] == ["Hana Sato", "Min-jun Kim"]
    assert news["datePublished"] == article.publish_at.isoformat()
    assert news["dateModified"] == article.last_updated_at.isoformat()
    assert {"Japan", "Security", "alliances", "deterrence"} <= set(news["keywords"])
    assert [a["name"] for a in news["about"]] == ["Japan", "Security"]
    assert crumbs["@type"] == "BreadcrumbList"
    assert crumbs["itemListElement"][-1]["item"].endswith("/articles/alliance-under-pressure/")


def test_json_ld_cannot_be_closed_by_content(client, article):
    article.title = "Breaking </script><script>alert(1)</script> & more"
    article.save()
    html = get(client, article)
    assert "</script><script>alert(1)" not in html
    assert json_ld(html)[0]["headline"].startswith("Breaking </script>")


def test_cite_this_offers_five_styles_with_permalink_and_access_date(client, article, settings):
    settings.SITE_URL = "https://meridian.example"
    html = get(client, article)
    cite = html.split('<details class="cite"')[1].split("</details>")[0]
    for label in ["Chicago", "APA", "MLA", "BibTeX", "RIS"]:
        assert f">{label}</dt>" in cite
    permalink = "https://meridian.example/articles/alliance-under-pressure/"
    assert cite.count(permalink) >= 6
    today = timezone.localdate()
    assert today.isoformat() in cite
    assert "Sato, Hana, and Min-jun Kim. “Alliance under pressure.”" in cite
    assert "Sato, H., &amp; Kim, M.-J. (" in cite
    assert "TY  - ELEC" in cite and "AU  - Sato, Hana" in cite and "ER  - " in cite
    assert "@misc{sato" in cite and "author = {Sato, Hana and Kim, Min-jun}" in cite


def test_highwire_tags_let_reference_managers_pick_the_article_up(client, article):
    html = get(client, article)
    assert '<meta name="citation_title" content="Alliance under pressure">' in html
    assert html.count('<meta name="citation_author"') == 2
    date = timezone.localdate(article.publish_at).strftime("%Y/%m/%d")
    assert f'<meta name="citation_publication_date" content="{date}">' in html


def test_article_page_loads_only_self_hosted_script_deferred(client, article):
    html = get(client, article)
    assert '<script src="/static/js/cite.js" defer></script>' in html


def test_related_candidates_come_from_the_rarest_tags_while_every_tag_scores(article):
    rare = [f"rare-{i}" for i in range(reader.RELATED_TAG_TERMS)]
    for i in range(3):
        publish(title=f"Common {i}", tags=["common"], days_ago=50 + i)
    subject = publish(title="Subject", tags=["common", *rare], days_ago=2)
    on_rare = publish(title="Shares a rare tag and the common one", tags=[rare[0], "common"])
    ids = _related(subject)
    # The common tag (four articles) is not among the six rarest, so pieces carrying only it
    # are no candidates; a candidate found by a rare tag scores the common tag too.
    assert ids == [on_rare.pk]
    page = rendering.published_page(subject.slug)
    assert page.data["tags"][-1] == subject.tags.get(name="common").pk


def test_tag_rows_carry_their_articles_publish_time_through_every_write_path(article):
    from apps.articles.models import Article, TaggedArticle

    def dates() -> set:
        return set(
            TaggedArticle.objects.filter(content_object=article).values_list(
                "publish_at", flat=True
            )
        )

    article.refresh_from_db()
    assert dates() == {article.publish_at}
    article.publish_at -= timedelta(days=3)
    article.save()
    assert dates() == {article.publish_at}
    later = article.publish_at + timedelta(hours=5)
    Article.objects.filter(pk=article.pk).update(publish_at=later)
    assert dates() == {later}
    article.tags.add("newly-added")
    article.refresh_from_db()
    article.refresh_derived()
    assert dates() == {later}
