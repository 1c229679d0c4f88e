"""The editorial workflow: which status changes exist, who may make them, what they require.

draft → review → published (now, or scheduled by a future publish time) → unpublished;
review → draft; unpublished → published (republishing, optionally with a public note).

Every road that changes an article's status (change-form buttons, a hand-made POST of
`status`, bulk actions) goes through `refusal()` and `apply()` here.
"""

from collections.abc import Callable
from dataclasses import dataclass

import reversion
from django.utils import timezone

from apps.articles.models import Article
from apps.media.validation import section_alt_problems

from .models import AuditEntry, UpdateNote

Status = Article.Status

PUBLISH_PERMISSION = "articles.publish_article"
SUBMIT_PERMISSION = "articles.submit_article"
EDIT_ANY_PERMISSION = "articles.edit_any_article"


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: frozenset[str]
    target: str
    permission: str
    role: str  # the least role that may make it, for refusal messages
    done: str  # "was submitted for review"


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition(
            "submit",
            "Submit for review",
            frozenset({Status.DRAFT}),
            Status.REVIEW,
            SUBMIT_PERMISSION,
            "Writer",
            "was submitted for review",
        ),
        Transition(
            "to_draft",
            "Back to draft",
            frozenset({Status.REVIEW}),
            Status.DRAFT,
            SUBMIT_PERMISSION,
            "Writer",
            "is a draft again",
        ),
        Transition(
            "publish",
            "Publish",
            frozenset({Status.REVIEW, Status.UNPUBLISHED}),
            Status.PUBLISHED,
            PUBLISH_PERMISSION,
            "Editor",
            "was published",
        ),
        Transition(
            "unpublish",
            "Unpublish",
            frozenset({Status.PUBLISHED}),
            Status.UNPUBLISHED,
            PUBLISH_PERMISSION,
            "Editor",
            "was unpublished",
        ),
    ]
}


def transition_between(current: str, target: str) -> Transition | None:
    for transition in TRANSITIONS.values():
        if current in transition.sources and transition.target == target:
            return transition
    return None


def status_label(status: str) -> str:
    try:
        return Status(status).label
    except ValueError:
        return status


def can_edit(user, article: Article) -> bool:
    """Editors edit anything; Writers only their own drafts."""
    if not user.has_perm("articles.change_article"):
        return False
    if article.pk is None or user.has_perm(EDIT_ANY_PERMISSION):
        return True
    return article.created_by_id == user.pk and article.status == Status.DRAFT


def refusal(user, article: Article, transition: Transition) -> str | None:
    """Why `user` may not make `transition` on `article` now; None when they may."""
    if not user.has_perm(transition.permission):
        return f"You may not “{transition.label.lower()}”: that needs the {transition.role} role."
    if article.status not in transition.sources:
        allowed = " or ".join(sorted(status_label(s) for s in transition.sources))
        return (
            f"“{transition.label}” applies to articles that are {allowed}; "
            f"“{article}” is {status_label(article.status)}."
        )
    if not user.has_perm(EDIT_ANY_PERMISSION) and article.created_by_id != user.pk:
        return f"You may only “{transition.label.lower()}” your own articles."
    return None


def transitions_for(user, article: Article) -> list[Transition]:
    """The buttons to offer on the change form."""
    if article.pk is None:
        return []
    return [t for t in TRANSITIONS.values() if refusal(user, article, t) is None]


# --- Readiness --------------------------------------------------------------------------------

# Checks other apps add: each takes a section's Markdown and returns problems ("an image has
# no alt text"). The media app registers its alt-text check here.
SECTION_CHECKS: list[Callable[[str], list[str]]] = []


def register_section_check(check: Callable[[str], list[str]]) -> Callable[[str], list[str]]:
    if check not in SECTION_CHECKS:
        SECTION_CHECKS.append(check)
    return check


register_section_check(section_alt_problems)


def article_problems(dek: str, has_region_or_theme: bool) -> list[str]:
    problems = []
    if not (dek or "").strip():
        problems.append("a published article needs a dek")
    if not has_region_or_theme:
        problems.append("a published article needs at least one region or theme")
    return problems


def section_problems(heading: str, body: str) -> list[str]:
    problems = [] if (heading or "").strip() else ["every section needs a heading"]
    for check in SECTION_CHECKS:
        problems.extend(check(body or ""))
    return problems


def readiness_problems(article: Article) -> list[str]:
    """What stops a saved article from being published (a few queries)."""
    has_vocabulary = article.regions.exists() or article.themes.exists()
    problems = article_problems(article.dek, has_vocabulary)
    hero = article.hero_image
    if hero is not None and not hero.alt_text and not hero.decorative:
        problems.append("the hero image needs alt text or to be marked decorative")
    sections = list(article.sections.only("heading", "body"))
    if not sections:
        problems.append("a published article needs at least one section")
    for number, section in enumerate(sections, start=1):
        problems.extend(
            f"section {number}: {problem}"
            for problem in section_problems(section.heading, section.body)
        )
    return problems


# --- Applying ---------------------------------------------------------------------------------


def apply(article: Article, transition: Transition, user, note: str = "") -> str:
    """Make the status change, save, record it; returns the confirmation message.

    The caller has checked `refusal()` (and readiness for publishing). A publish time in the
    future schedules the article: it becomes public by itself at that time.
    """
    now = timezone.now()
    before = article.status
    article.status = transition.target
    detail = ""
    if transition.target == Status.PUBLISHED:
        if article.publish_at is None:
            article.publish_at = now
        if before == Status.UNPUBLISHED and article.first_published_at is not None:
            article.last_updated_at = now
        if note:
            article.last_updated_at = now
    article.save()
    if note and transition.target == Status.PUBLISHED:
        UpdateNote.objects.create(article=article, note=note, created_at=now, created_by=user)
    message = f"“{article}” {transition.done}."
    if transition.target == Status.PUBLISHED and article.publish_at > now:
        message = f"“{article}” was scheduled: it goes public on {local_time(article.publish_at)}."
        detail = f"scheduled for {article.publish_at.isoformat()}"
    AuditEntry.record(
        AuditEntry.Action.TRANSITION,
        article,
        user,
        detail=detail,
        from_status=before,
        to_status=transition.target,
    )
    if reversion.is_active():
        reversion.set_comment(message)
    content_changed()
    return message


def local_time(value) -> str:
    """A time as editors read it: in the site's zone, with the zone named."""
    local = timezone.localtime(value)
    return f"{local:%d %b %Y, %H:%M} {local:%Z} ({timezone.get_current_timezone_name()})"


def content_changed() -> None:
    """Tell the public page cache that content changed (when the cache exists)."""
    try:
        from config.caching import bump_generation
    except ImportError:
        return
    bump_generation()


def will_be_published(data, article: Article) -> bool:
    """Whether a posted change form asks for the article to be public after saving."""
    name = data.get("_transition")
    if name:
        transition = TRANSITIONS.get(name)
        return transition is not None and transition.target == Status.PUBLISHED
    posted = data.get("status")
    if posted and posted != article.status:
        return posted == Status.PUBLISHED
    return article.pk is not None and article.status == Status.PUBLISHED
