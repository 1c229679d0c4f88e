"""Load the demo content idempotently: a second run finds everything as it should be and writes
nothing (no new rows, no re-saved articles, no new section ids, no version bumps).

Each object is compared with what the content files say and written only when it differs, so the
loader also repairs demo articles that were edited or whose HTML was rendered by older rules.
Publish times are the one thing not fixed in the files: a published article is dated `days_ago`
days before the day it was first loaded, and keeps that time on later runs, so the demo looks
recent on a new machine and stays put on an old one. The scheduled article is moved forward again
if its time has come, so that it is always scheduled after a load.
"""

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from apps.regions.models import Region, Theme

from .. import markdown
from ..importer import ImportFileError, parse
from ..models import Article, Author, Byline, Format, Section

SectionRegion = Section.regions.through
SectionTheme = Section.themes.through

DEMO_DIR = Path(__file__).resolve().parent
ARTICLES_DIR = DEMO_DIR / "articles"

ARTICLE_KEYS = {
    "slug", "dek", "format", "status", "days_ago", "days_ahead", "time", "updated_days_after",
    "featured", "authors", "regions", "themes", "tags", "takeaways", "sections",
}  # fmt: skip
SECTION_KEYS = {"regions", "themes"}


class DemoContentError(Exception):
    """A demo content file is malformed or names something that does not exist."""


@dataclass(frozen=True)
class DemoSection:
    heading: str
    body: str
    regions: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()


@dataclass(frozen=True)
class DemoArticle:
    slug: str
    title: str
    dek: str
    lead: str
    format: str
    status: str
    authors: tuple[str, ...]
    regions: tuple[str, ...]
    themes: tuple[str, ...]
    tags: tuple[str, ...]
    takeaways: tuple[str, ...]
    sections: tuple[DemoSection, ...]
    days_ago: int | None = None
    days_ahead: int | None = None
    time: time = time(9, 0)
    updated_days_after: int | None = None
    featured: bool = False

    @property
    def is_scheduled(self) -> bool:
        return self.days_ahead is not None


@dataclass
class LoadResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    published: int = 0
    scheduled: int = 0
    drafts: int = 0
    authors_written: int = 0
    vocabulary_written: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.authors_written or self.vocabulary_written)


def read_article(path: Path) -> DemoArticle:
    """One demo article file: TOML front matter between `+++` lines, then Markdown."""
    text = path.read_text(encoding="utf-8")
    try:
        _, front, body = text.split("+++\n", 2)
        meta = tomllib.loads(front)
        document = parse(body)
    except (ValueError, tomllib.TOMLDecodeError, ImportFileError) as error:
        raise DemoContentError(f"{path.name}: {error}") from error
    if unknown := set(meta) - ARTICLE_KEYS:
        raise DemoContentError(f"{path.name}: unknown keys {sorted(unknown)}")

    section_meta = meta.get("sections", {})
    headings = [s.heading for s in document.sections]
    if missing := set(section_meta) - set(headings):
        raise DemoContentError(f"{path.name}: no sections headed {sorted(missing)}")
    for heading, extra in section_meta.items():
        if unknown := set(extra) - SECTION_KEYS:
            raise DemoContentError(f"{path.name}: section {heading!r}: unknown {sorted(unknown)}")

    status = meta.get("status", Article.Status.PUBLISHED)
    if status == Article.Status.PUBLISHED and ("days_ago" in meta) == ("days_ahead" in meta):
        raise DemoContentError(f"{path.name}: a published article needs days_ago or days_ahead")
    return DemoArticle(
        slug=meta["slug"],
        title=document.title,
        dek=meta["dek"],
        lead=document.lead,
        format=meta["format"],
        status=status,
        authors=tuple(meta["authors"]),
        regions=tuple(meta.get("regions", ())),
        themes=tuple(meta.get("themes", ())),
        tags=tuple(meta.get("tags", ())),
        takeaways=tuple(meta.get("takeaways", ())),
        sections=tuple(
            DemoSection(
                heading=s.heading,
                body=s.body,
                regions=tuple(section_meta.get(s.heading, {}).get("regions", ())),
                themes=tuple(section_meta.get(s.heading, {}).get("themes", ())),
            )
            for s in document.sections
        ),
        days_ago=meta.get("days_ago"),
        days_ahead=meta.get("days_ahead"),
        time=meta.get("time", time(9, 0)),
        updated_days_after=meta.get("updated_days_after"),
        featured=meta.get("featured", False),
    )


def read_articles() -> list[DemoArticle]:
    """All demo articles, oldest first, so that ids follow publication order."""
    articles = [read_article(path) for path in sorted(ARTICLES_DIR.glob("*.md"))]
    return sorted(articles, key=lambda a: (a.days_ahead or 0, -(a.days_ago or 0), a.status, a.slug))


def load(articles: Iterable[DemoArticle] | None = None) -> LoadResult:
    """Create or update the demo vocabulary, authors and articles in one transaction."""
    articles = read_articles() if articles is None else list(articles)
    vocabulary = tomllib.loads((DEMO_DIR / "vocabulary.toml").read_text(encoding="utf-8"))
    authors = tomllib.loads((DEMO_DIR / "authors.toml").read_text(encoding="utf-8"))
    result = LoadResult()
    with transaction.atomic():
        result.vocabulary_written = _sync_vocabulary(vocabulary)
        result.authors_written = _sync_rows(Author, authors["author"])
        lookup = _Lookup()
        existing = _existing_articles([demo.slug for demo in articles])
        saved = []
        for demo in articles:
            article, outcome = _sync_article(demo, existing.get(demo.slug), lookup)
            getattr(result, outcome).append(demo.slug)
            saved.append(article)
            if demo.status != Article.Status.PUBLISHED:
                result.drafts += 1
            elif demo.is_scheduled:
                result.scheduled += 1
            else:
                result.published += 1
        # Articles link to each other, so the link graph is computed once all of them exist.
        for article in saved:
            article.refresh_derived()
    return result


class _Lookup:
    """Vocabulary, formats and authors by slug, read once per load."""

    def __init__(self) -> None:
        self.formats = {f.slug: f for f in Format.objects.all()}
        self.authors = {a.slug: a for a in Author.objects.all()}
        self.regions = {r.slug: r.pk for r in Region.objects.all()}
        self.themes = {t.slug: t.pk for t in Theme.objects.all()}

    def get(self, table: dict, slugs: Iterable[str], what: str, slug: str) -> list:
        try:
            return [table[s] for s in slugs]
        except KeyError as error:
            raise DemoContentError(f"{slug}: unknown {what} {error.args[0]!r}") from None


def _sync_vocabulary(vocabulary: dict) -> int:
    written = 0
    for row in vocabulary.get("region", []):
        row = dict(row)
        parent = row.pop("parent", None)
        if parent:
            try:
                row["parent"] = Region.objects.get(slug=parent)
            except Region.DoesNotExist:
                raise DemoContentError(f"region {row['slug']}: no parent {parent!r}") from None
        written += _sync_rows(Region, [row])
    written += _sync_rows(Theme, vocabulary.get("theme", []))
    return written


def _sync_rows(model, rows: list[dict]) -> int:
    """update_or_create by slug that leaves identical rows alone; returns rows written."""
    written = 0
    for row in rows:
        obj = model.objects.filter(slug=row["slug"]).first()
        if obj is None:
            model.objects.create(**row)
            written += 1
        elif _assign(obj, row):
            obj.save()
            written += 1
    return written


def _assign(obj, values: dict) -> bool:
    """Set the values that differ; tell whether any did."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def _publish_times(demo: DemoArticle, article: Article | None) -> dict:
    if demo.status != Article.Status.PUBLISHED:
        return {"publish_at": None, "first_published_at": None, "last_updated_at": None}
    now = timezone.now()
    kept = article.publish_at if article and article.status == demo.status else None
    if demo.is_scheduled:
        if kept is None or kept <= now:
            kept = _at(now.date() + timedelta(days=demo.days_ahead), demo.time)
    elif kept is None or kept > now:
        kept = _at(now.date() - timedelta(days=demo.days_ago), demo.time)
    updated = None
    if demo.updated_days_after:
        updated = kept + timedelta(days=demo.updated_days_after)
    return {"publish_at": kept, "first_published_at": kept, "last_updated_at": updated}


def _at(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=UTC)


def _existing_articles(slugs: list[str]) -> dict[str, Article]:
    """The demo articles already saved, with everything the comparison reads (7 queries)."""
    sections = Section.objects.order_by("position").prefetch_related("regions", "themes")
    articles = Article.objects.filter(slug__in=slugs).prefetch_related(
        "regions", "themes", "tags", "bylines", Prefetch("sections", queryset=sections)
    )
    return {article.slug: article for article in articles}


def _sync_article(
    demo: DemoArticle, article: Article | None, lookup: _Lookup
) -> tuple[Article, str]:
    (article_format,) = lookup.get(lookup.formats, [demo.format], "format", demo.slug)
    values = {
        "title": demo.title,
        "dek": demo.dek,
        "lead": demo.lead,
        "takeaways": list(demo.takeaways),
        "format_id": article_format.pk,
        "status": demo.status,
        "featured": demo.featured,
        **_publish_times(demo, article),
    }
    if article is None:
        article = Article(slug=demo.slug, **values)
        article.save()
        outcome = "created"
    else:
        stale_html = article.lead_html != markdown.render(demo.lead, doc_id="lead")
        outcome = "updated" if _assign(article, values) or stale_html else "unchanged"
        if outcome == "updated":
            article.save()

    changed = _sync_relations(article, demo, lookup)
    changed |= _sync_bylines(article, lookup.get(lookup.authors, demo.authors, "author", demo.slug))
    changed |= _sync_sections(article, demo, lookup)
    if changed and outcome == "unchanged":
        outcome = "updated"
    return article, outcome


def _sync_relations(article: Article, demo: DemoArticle, lookup: _Lookup) -> bool:
    changed = False
    for name, table in (("regions", lookup.regions), ("themes", lookup.themes)):
        wanted = set(lookup.get(table, getattr(demo, name), name[:-1], demo.slug))
        manager = getattr(article, name)
        if {obj.pk for obj in manager.all()} != wanted:
            manager.set(wanted)
            changed = True
    # Tags match case-insensitively (TAGGIT_CASE_INSENSITIVE): "lng" already saved is "LNG".
    if {t.name.casefold() for t in article.tags.all()} != {t.casefold() for t in demo.tags}:
        article.tags.set(list(demo.tags))
        changed = True
    return changed


def _sync_bylines(article: Article, authors: list[Author]) -> bool:
    current = [(byline.author_id, byline.position) for byline in article.bylines.all()]
    wanted = [(author.pk, position) for position, author in enumerate(authors)]
    if current == wanted:
        return False
    article.bylines.all().delete()
    Byline.objects.bulk_create(
        Byline(article=article, author_id=pk, position=position) for pk, position in wanted
    )
    return True


def _sync_sections(article: Article, demo: DemoArticle, lookup: _Lookup) -> bool:
    """Replace the article's sections when any of them differs from the file."""
    taken: set[str] = set()
    wanted = []
    for position, demo_section in enumerate(demo.sections):
        section = Section(article=article, position=position, heading=demo_section.heading)
        section.anchor = section.derive_anchor(taken)
        taken.add(section.anchor)
        section.body = demo_section.body
        regions = sorted(lookup.get(lookup.regions, demo_section.regions, "region", demo.slug))
        themes = sorted(lookup.get(lookup.themes, demo_section.themes, "theme", demo.slug))
        wanted.append((section, regions, themes))

    current = list(article.sections.all())
    same = len(current) == len(wanted) and all(
        (have.position, have.heading, have.anchor, have.body, have.body_html)
        == (want.position, want.heading, want.anchor, want.body,
            markdown.render(want.body, doc_id=want.anchor))
        and sorted(r.pk for r in have.regions.all()) == regions
        and sorted(t.pk for t in have.themes.all()) == themes
        for have, (want, regions, themes) in zip(current, wanted, strict=False)
    )  # fmt: skip
    if same:
        return False
    article.sections.all().delete()
    section_regions, section_themes = [], []
    for section, regions, themes in wanted:
        section.save()
        section_regions += [SectionRegion(section=section, region_id=pk) for pk in regions]
        section_themes += [SectionTheme(section=section, theme_id=pk) for pk in themes]
    SectionRegion.objects.bulk_create(section_regions)
    SectionTheme.objects.bulk_create(section_themes)
    return True
