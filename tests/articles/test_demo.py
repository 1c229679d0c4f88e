import hashlib
import re
from datetime import timedelta
from io import StringIO
from unittest import mock

from django.core.management import call_command
from django.db.models import Count, Q
from django.test import TestCase
from django.utils import timezone
from taggit.models import Tag

from apps.articles.demo.loader import ARTICLES_DIR
from apps.articles.models import Article, Author, Byline, Format, Section, TaggedArticle
from apps.regions.models import Region, Theme

DRAFT = "critical-minerals-options-for-a-trilateral-stockpile"
SCHEDULED = "shipbuilding-as-alliance-glue-can-allied-yards-repair-us-naval-capacity"
LINK = re.compile(r"\(/articles/([-a-z0-9]+)/\)")


def load_demo() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def snapshot(with_identity: bool = True) -> dict:
    """Everything the demo writes, as plain values; with ids and save times unless told not."""
    articles = Article.objects.order_by("slug").prefetch_related(
        "regions", "themes", "tags", "bylines__author", "sections__regions", "sections__themes"
    )
    content = [
        (
            a.pk if with_identity else None,
            a.modified_at if with_identity else None,
            a.slug, a.title, a.dek, a.lead, a.lead_html, a.takeaways, a.format_id, a.status,
            a.publish_at, a.first_published_at, a.last_updated_at, a.featured, a.reading_time,
            sorted(r.slug for r in a.regions.all()),
            sorted(t.slug for t in a.themes.all()),
            sorted(t.name for t in a.tags.all()),
            [(b.position, b.author.slug) for b in a.bylines.all()],
            [
                (
                    s.pk if with_identity else None,
                    s.position, s.heading, s.anchor, s.body, s.body_html,
                    sorted(r.slug for r in s.regions.all()),
                    sorted(t.slug for t in s.themes.all()),
                )
                for s in a.sections.all()
            ],
        )
        for a in articles
    ]  # fmt: skip
    authors = list(Author.objects.order_by("slug").values_list("slug", "name", "role", "bio"))
    vocabulary = [
        list(Region.objects.order_by("slug").values_list("slug", "name", "parent__slug")),
        list(Theme.objects.order_by("slug").values_list("slug", "name", "description")),
    ]
    counts = {
        model.__name__: model.objects.count()
        for model in (Article, Section, Byline, Author, Region, Theme, Tag, TaggedArticle)
    }
    counts["section regions"] = Section.regions.through.objects.count()
    counts["section themes"] = Section.themes.through.objects.count()
    return {"counts": counts, "content": content, "authors": authors, "vocabulary": vocabulary}


def checksum(data: dict) -> str:
    return hashlib.sha256(repr(data).encode()).hexdigest()


class DemoContentTests(TestCase):
    """The demo is loaded once for the class; each test runs in a rolled-back savepoint."""

    @classmethod
    def setUpTestData(cls):
        cls.output = load_demo()

    # --- What the demo contains ---------------------------------------------------------------

    def test_demo_loads_at_least_twelve_published_articles_one_draft_and_one_scheduled(self):
        now = timezone.now()
        published = Article.objects.published()

        assert published.count() >= 12
        assert Article.objects.filter(status=Article.Status.DRAFT).count() == 1
        assert (
            Article.objects.filter(status=Article.Status.PUBLISHED, publish_at__gt=now).count() == 1
        )
        assert Article.objects.get(slug=DRAFT).status == Article.Status.DRAFT
        assert Article.objects.get(slug=SCHEDULED).publish_at > now + timedelta(days=4)
        assert "15 published, 1 scheduled, 1 draft" in self.output

    def test_published_excludes_the_draft_and_the_scheduled_article(self):
        public = set(Article.objects.published().values_list("slug", flat=True))

        assert DRAFT not in public
        assert SCHEDULED not in public
        assert public == set(
            Article.objects.exclude(slug__in=[DRAFT, SCHEDULED]).values_list("slug", flat=True)
        )

    def test_every_seeded_region_and_theme_pair_has_published_analysis(self):
        for region in ["japan", "south-korea", "united-states"]:
            for theme in ["security", "trade", "hedging"]:
                with self.subTest(region=region, theme=theme):
                    published = Article.objects.published()
                    assert published.filter(regions__slug=region, themes__slug=theme).exists()

    def test_several_pieces_have_four_to_eight_sections_and_a_lead(self):
        long_reads = (
            Article.objects.published()
            .annotate(n=Count("sections"))
            .filter(n__gte=4, n__lte=8)
            .exclude(lead="")
        )

        assert long_reads.count() >= 8
        assert all(a.reading_time >= 2 for a in long_reads)

    def test_some_sections_cover_a_theme_or_region_their_article_is_not_filed_under(self):
        sections = Section.objects.filter(
            article__status=Article.Status.PUBLISHED
        ).prefetch_related("themes", "regions", "article__themes", "article__regions")
        own_subject = [
            s
            for s in sections
            if {t.pk for t in s.themes.all()} - {t.pk for t in s.article.themes.all()}
            or {r.pk for r in s.regions.all()} - {r.pk for r in s.article.regions.all()}
        ]

        assert len(own_subject) >= 5
        assert Section.objects.filter(
            heading="The export ledger", themes__slug="trade", regions__slug="china"
        ).exists()

    def test_each_article_has_takeaways_tags_authors_and_a_seeded_format(self):
        for article in Article.objects.prefetch_related("tags", "bylines"):
            assert 2 <= len(article.takeaways) <= 5, article.slug
            assert article.tags.count() >= 3, article.slug
            assert article.bylines.exists(), article.slug
            assert article.dek, article.slug
        used = set(Article.objects.values_list("format__slug", flat=True))
        assert used == {"analysis", "commentary", "brief", "report", "explainer"}
        assert Format.objects.count() == 5

    def test_authors_have_roles_affiliations_and_bios_and_bylines_keep_their_order(self):
        assert Author.objects.count() == 6
        assert not Author.objects.filter(Q(role="") | Q(affiliation="") | Q(bio="")).exists()

        strait = Article.objects.get(
            slug="if-the-strait-erupts-the-hard-questions-for-tokyo-and-seoul"
        )
        assert [b.author.slug for b in strait.bylines.select_related("author")] == [
            "hana-okabe",
            "seo-min-jun",
            "claire-ashdown",
        ]
        co_authored = Article.objects.annotate(n=Count("bylines")).filter(n__gte=2)
        assert co_authored.count() >= 5

    def test_two_published_articles_are_featured(self):
        assert Article.objects.published().filter(featured=True).count() == 2

    def test_publish_times_spread_over_months_and_are_all_in_the_past(self):
        times = sorted(Article.objects.published().values_list("publish_at", flat=True))

        assert times[-1] - times[0] >= timedelta(days=120)
        assert len(set(times)) == len(times)
        updated = Article.objects.published().exclude(last_updated_at=None)
        assert updated.exists()
        assert all(a.was_updated for a in updated)

    def test_cross_links_point_to_published_demo_articles(self):
        public = set(Article.objects.published().values_list("slug", flat=True))
        links = []
        for article in Article.objects.published().prefetch_related("sections"):
            text = article.lead + "".join(s.body for s in article.sections.all())
            links += [(article.slug, target) for target in LINK.findall(text)]

        assert len(links) >= 8
        assert {target for _, target in links} <= public
        assert all(source != target for source, target in links)

    def test_demo_markdown_renders_tables_lists_and_footnotes(self):
        html = "".join(Section.objects.values_list("body_html", flat=True))

        assert "<table>" in html
        assert "<ol>" in html
        assert "<ul>" in html
        assert 'class="footnote-ref"' in html

    def test_demo_articles_pass_model_validation(self):
        for article in Article.objects.all():
            article.full_clean()
        for section in Section.objects.all():
            section.full_clean()

    def test_demo_adds_regions_and_themes_under_east_asia_without_touching_seeded_ones(self):
        assert Region.objects.get(slug="taiwan").parent.slug == "east-asia"
        assert Theme.objects.filter(slug__in=["technology", "energy"]).count() == 2
        japan = Region.objects.get(slug="japan")
        assert japan.description.startswith("Japan's security posture")

    # --- Idempotence ---------------------------------------------------------------------------

    def test_running_load_demo_twice_changes_nothing(self):
        first = snapshot()

        output = load_demo()

        assert checksum(snapshot()) == checksum(first)
        assert snapshot() == first
        assert "0 created, 0 updated, 17 unchanged" in output

    def test_second_run_days_later_keeps_the_publish_times(self):
        first = snapshot()
        later = timezone.now() + timedelta(days=3)
        with mock.patch.object(timezone, "now", lambda: later):
            load_demo()

        assert snapshot() == first

    def test_load_demo_restores_demo_content_edited_since(self):
        first = snapshot(with_identity=False)
        article = Article.objects.get(slug="quiet-hedging-is-not-drift")
        article.sections.filter(position=0).update(body="Edited.", body_html="<p>Edited.</p>")
        article.tags.add("an editor's tag")
        article.bylines.all().delete()
        Article.objects.filter(slug=DRAFT).update(title="Renamed draft")

        output = load_demo()

        assert snapshot(with_identity=False) == first | {
            "counts": first["counts"] | {"Tag": first["counts"]["Tag"] + 1}
        }
        assert "2 updated" in output

    def test_scheduled_article_whose_time_passed_is_scheduled_again(self):
        Article.objects.filter(slug=SCHEDULED).update(
            publish_at=timezone.now() - timedelta(minutes=1),
            first_published_at=timezone.now() - timedelta(minutes=1),
        )
        assert Article.objects.published().filter(slug=SCHEDULED).exists()

        load_demo()

        scheduled = Article.objects.get(slug=SCHEDULED)
        assert scheduled.publish_at > timezone.now()
        assert scheduled.first_published_at == scheduled.publish_at
        assert not Article.objects.published().filter(slug=SCHEDULED).exists()


# --- Originality (no database) ------------------------------------------------------------


def test_demo_text_shares_no_eight_word_run_with_the_seed_document(seed_dir):
    def shingles(text: str) -> set[tuple[str, ...]]:
        words = re.findall(r"[a-z0-9']+", text.lower().replace("\u2019", "'"))
        return {tuple(words[i : i + 8]) for i in range(len(words) - 7)}

    seed = shingles((seed_dir / "japan-south-korea-us-policy.txt").read_text(encoding="utf-8"))
    demo_text = " ".join(p.read_text(encoding="utf-8") for p in ARTICLES_DIR.glob("*.md"))

    assert seed
    assert not seed & shingles(demo_text)
