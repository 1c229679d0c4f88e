"""Revisions of whole articles (django-reversion): snapshots, word diffs, restore.

An article's revision holds the article row (with its regions and themes), its sections (with
theirs), its bylines and its taggings. Reading a revision back never trusts it blindly: rows it
points to may have been deleted since (a merged tag, a removed author, a region), and those
references are dropped with a note instead of failing the restore.
"""

import difflib
import re
from dataclasses import dataclass, field
from datetime import datetime

import reversion
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from reversion.models import Revision, Version


def register_models() -> None:
    """Idempotent: called from the app's ready() and before the article admin is built."""
    from apps.articles.models import Article, Byline, Section, TaggedArticle

    for model in (Section, Byline, TaggedArticle):
        if not reversion.is_registered(model):
            reversion.register(model)
    if not reversion.is_registered(Article):
        reversion.register(Article, follow=["sections", "bylines", "tagged_items"])


class RestoreError(Exception):
    pass


# --- Reading revisions ------------------------------------------------------------------------


def versions_of(article_id: int):
    """The article's versions, newest first, each with its revision and user (one query)."""
    from apps.articles.models import Article

    return (
        Version.objects.get_for_object_reference(Article, article_id)
        .select_related("revision", "revision__user")
        .order_by("-revision__date_created", "-pk")
    )


def latest_version(article_id: int) -> Version | None:
    return versions_of(article_id).first()


def version_numbered(article_id: int, number: int, limit: int = 200) -> Version | None:
    """The stored version whose article `version` field equals `number` (newest first)."""
    for version in versions_of(article_id)[:limit]:
        if version.field_dict.get("version") == number:
            return version
    return None


@dataclass
class Snapshot:
    """One revision of an article, in the terms an editor reads: fields, sections, names."""

    revision: Revision
    fields: dict
    sections: list[dict]
    authors: list[str]
    tags: list[str]
    regions: list[str]
    themes: list[str]

    @property
    def status(self) -> str:
        return self.fields.get("status", "")


def snapshot(revision: Revision, article_id: int) -> Snapshot:
    """Deserialize a revision's versions of one article (a few queries)."""
    from taggit.models import Tag

    from apps.articles.models import Article, Author, Byline, Section, TaggedArticle
    from apps.regions.models import Region, Theme

    article_fields: dict = {}
    sections: list[dict] = []
    bylines: list[dict] = []
    tag_ids: list[int] = []
    for version in revision.version_set.all():
        model = version._model
        data = version.field_dict
        if model is Article and str(version.object_id) == str(article_id):
            article_fields = data
        elif model is Section and data.get("article_id") == article_id:
            sections.append({"id": int(version.object_id), **data})
        elif model is Byline and data.get("article_id") == article_id:
            bylines.append(data)
        elif model is TaggedArticle and data.get("content_object_id") == article_id:
            tag_ids.append(data["tag_id"])
    sections.sort(key=lambda s: (s.get("position", 0), s["id"]))
    bylines.sort(key=lambda b: (b.get("position", 0), b.get("author_id")))

    def names(model, ids) -> list[str]:
        found = dict(model.objects.filter(pk__in=ids).values_list("pk", "name"))
        return [found.get(pk, f"#{pk} (deleted)") for pk in ids]

    return Snapshot(
        revision=revision,
        fields=article_fields,
        sections=sections,
        authors=names(Author, [b["author_id"] for b in bylines]),
        tags=sorted(names(Tag, tag_ids), key=str.lower),
        regions=sorted(names(Region, article_fields.get("regions", []))),
        themes=sorted(names(Theme, article_fields.get("themes", []))),
    )


# --- Diffs ------------------------------------------------------------------------------------

_TOKEN = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)


def word_diff(old: str, new: str) -> SafeString:
    """Both texts merged, removed words in <del>, added words in <ins>; everything escaped."""
    a, b = _TOKEN.findall(old or ""), _TOKEN.findall(new or "")
    out: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(escape("".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            out.append(f"<del>{escape(''.join(a[i1:i2]))}</del>")
        if op in ("insert", "replace"):
            out.append(f"<ins>{escape(''.join(b[j1:j2]))}</ins>")
    # Every piece above is escaped.
    return mark_safe("".join(out))


@dataclass
class FieldChange:
    label: str
    diff: SafeString


@dataclass
class SectionChange:
    heading: str
    change: str  # "added", "removed", "changed", "moved", "unchanged"
    fields: list[FieldChange] = field(default_factory=list)


@dataclass
class ArticleDiff:
    old: Snapshot
    new: Snapshot
    fields: list[FieldChange]
    sections: list[SectionChange]

    @property
    def has_changes(self) -> bool:
        return bool(self.fields) or any(s.change != "unchanged" for s in self.sections)


ARTICLE_FIELDS = [
    ("title", "Title"),
    ("slug", "URL slug"),
    ("dek", "Dek"),
    ("lead", "Lead"),
    ("takeaways", "Key takeaways"),
    ("status", "Status"),
    ("publish_at", "Publish time"),
    ("seo_title", "SEO title"),
    ("seo_description", "SEO description"),
]
SECTION_FIELDS = [("heading", "Heading"), ("anchor", "Anchor"), ("body", "Text")]


def _as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "\n".join(str(v) for v in value)
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%d %b %Y %H:%M %Z")
    return str(value)


def _changes(old: dict, new: dict, fields) -> list[FieldChange]:
    changes = []
    for name, label in fields:
        a, b = _as_text(old.get(name)), _as_text(new.get(name))
        if a != b:
            changes.append(FieldChange(label, word_diff(a, b)))
    return changes


def diff(old: Snapshot, new: Snapshot) -> ArticleDiff:
    """What changed from `old` to `new`: article fields, then section by section."""
    fields = _changes(old.fields, new.fields, ARTICLE_FIELDS)
    for name, label in [
        ("authors", "Authors"),
        ("regions", "Regions"),
        ("themes", "Themes"),
        ("tags", "Tags"),
    ]:
        a, b = ", ".join(getattr(old, name)), ", ".join(getattr(new, name))
        if a != b:
            fields.append(FieldChange(label, word_diff(a, b)))

    old_by_id = {s["id"]: s for s in old.sections}
    new_ids = {s["id"] for s in new.sections}
    sections: list[SectionChange] = []
    old_order = [s["id"] for s in old.sections if s["id"] in new_ids]
    new_order = [s["id"] for s in new.sections if s["id"] in old_by_id]
    for section in new.sections:
        before = old_by_id.get(section["id"])
        if before is None:
            empty = {name: "" for name, _ in SECTION_FIELDS}
            sections.append(
                SectionChange(section["heading"], "added", _changes(empty, section, SECTION_FIELDS))
            )
            continue
        changes = _changes(before, section, SECTION_FIELDS)
        moved = old_order.index(section["id"]) != new_order.index(section["id"])
        kind = "changed" if changes else ("moved" if moved else "unchanged")
        sections.append(SectionChange(section["heading"], kind, changes))
    for section in old.sections:
        if section["id"] not in new_ids:
            empty = {name: "" for name, _ in SECTION_FIELDS}
            sections.append(
                SectionChange(
                    section["heading"], "removed", _changes(section, empty, SECTION_FIELDS)
                )
            )
    return ArticleDiff(old=old, new=new, fields=fields, sections=sections)


# --- Restore ----------------------------------------------------------------------------------

# Workflow state belongs to the present: restoring text never publishes, unpublishes or moves
# an article's URL.
KEPT_ON_RESTORE = [
    "slug",
    "status",
    "publish_at",
    "first_published_at",
    "last_updated_at",
    "created_by_id",
    "version",
]


def restore(article_id: int, revision: Revision, user) -> tuple[object, list[str]]:
    """Bring back the article's text, sections, bylines and tags as of `revision`.

    The result is saved as a new revision; nothing is overwritten. Returns the article and
    notes about references that no longer exist (a merged tag, a deleted region…).
    """
    from taggit.models import Tag

    from apps.articles.models import Article, Author, Byline, TaggedArticle
    from apps.regions.models import Region, Theme

    notes: list[str] = []
    with transaction.atomic(), reversion.create_revision():
        current = Article.objects.select_for_update().get(pk=article_id)
        kept = {name: getattr(current, name) for name in KEPT_ON_RESTORE}
        versions = list(revision.version_set.all())
        regions = set(Region.objects.values_list("pk", flat=True))
        themes = set(Theme.objects.values_list("pk", flat=True))
        tag_ids = {v.field_dict["tag_id"] for v in versions if v._model is TaggedArticle}
        author_ids = {v.field_dict["author_id"] for v in versions if v._model is Byline}
        tags = set(Tag.objects.filter(pk__in=tag_ids).values_list("pk", flat=True))
        authors = set(Author.objects.filter(pk__in=author_ids).values_list("pk", flat=True))

        usable = []
        for version in versions:
            model, data = version._model, version.field_dict
            if model is TaggedArticle and data["tag_id"] not in tags:
                notes.append("a tag that has since been merged or deleted was left out")
                continue
            if model is Byline and data["author_id"] not in authors:
                notes.append("a byline whose author has since been deleted was left out")
                continue
            m2m = version._object_version.m2m_data or {}
            for name, existing in (("regions", regions), ("themes", themes)):
                if name in m2m:
                    missing = [pk for pk in m2m[name] if pk not in existing]
                    if missing:
                        m2m[name] = [pk for pk in m2m[name] if pk in existing]
                        notes.append(f"{len(missing)} deleted {name} left out")
            usable.append(version)

        # Rows that exist now but not in the revision (sections added since…) are removed.
        in_revision = {(v._model, str(v.object_id)) for v in usable}
        for related in (current.sections.all(), current.bylines.all(), current.tagged_items.all()):
            for obj in related:
                if (type(obj), str(obj.pk)) not in in_revision:
                    obj.delete()
        try:
            with transaction.atomic():
                for version in usable:
                    version._object_version.save()
                connection.check_constraints()
        except IntegrityError as error:
            raise RestoreError(
                "This revision could not be restored: it refers to something that no longer "
                f"exists ({error.__class__.__name__})."
            ) from error

        article = Article.objects.get(pk=article_id)
        for name, value in kept.items():
            setattr(article, name, value)
        article.save()  # increments the version past every form based on the old text
        for section in article.sections.all():
            section.save()  # re-render with today's rules
        article.refresh_derived()
        reversion.set_user(user)
        when = timezone.localtime(revision.date_created).strftime("%d %b %Y %H:%M %Z")
        by = f" by {revision.user}" if revision.user else ""
        reversion.set_comment(f"Restored the revision of {when}{by}.")
        reversion.add_to_revision(article)
    return article, sorted(set(notes))


def live_snapshot(article) -> Snapshot:
    """The article as it is in the database now, in the same shape as a revision (5 queries)."""
    from apps.articles.models import Article

    fields = {f.attname: getattr(article, f.attname) for f in Article._meta.concrete_fields}
    fields["regions"] = list(article.regions.values_list("pk", flat=True))
    fields["themes"] = list(article.themes.values_list("pk", flat=True))
    sections = [
        {
            "id": s.pk,
            "position": s.position,
            "heading": s.heading,
            "anchor": s.anchor,
            "body": s.body,
        }
        for s in article.sections.order_by("position", "pk")
    ]
    return Snapshot(
        revision=None,
        fields=fields,
        sections=sections,
        authors=[b.author.name for b in article.bylines.select_related("author")],
        tags=sorted(article.tags.values_list("name", flat=True), key=str.lower),
        regions=sorted(article.regions.values_list("name", flat=True)),
        themes=sorted(article.themes.values_list("name", flat=True)),
    )
