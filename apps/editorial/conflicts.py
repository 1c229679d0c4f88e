"""Edit conflicts: a save based on an older version of an article is refused, with the other
person's change shown, instead of silently overwriting it."""

from dataclasses import dataclass
from datetime import datetime

from apps.articles.models import Article

from . import revisions
from .workflow import local_time


@dataclass
class Conflict:
    based_on: int
    current_version: int
    user: str
    when: datetime | None
    diff: revisions.ArticleDiff | None

    @property
    def message(self) -> str:
        when = f" on {local_time(self.when)}" if self.when else ""
        return (
            f"{self.user} saved this article{when}, after you opened it (you started from "
            f"version {self.based_on}; it is now version {self.current_version}). Nothing was "
            "saved: your text is kept in the form below, and their changes are shown above it. "
            "Merge what you need, then save again to replace their version."
        )


def changed_by(article_id: int) -> tuple[str, datetime | None]:
    latest = revisions.latest_version(article_id)
    if latest is None:
        return "Someone else", None
    user = latest.revision.user
    name = (user.get_full_name() or user.get_username()) if user else "Someone else"
    return name, latest.revision.date_created


def find_conflict(article_id: int, based_on: int, with_diff: bool = True) -> Conflict | None:
    """None when `based_on` is the article's current version; locks the row until commit."""
    current = (
        Article.objects.select_for_update()
        .filter(pk=article_id)
        .values_list("version", flat=True)
        .first()
    )
    if current is None or current == based_on:
        return None
    user, when = changed_by(article_id)
    change = None
    if with_diff:
        stale = revisions.version_numbered(article_id, based_on)
        if stale is not None:
            change = revisions.diff(
                revisions.snapshot(stale.revision, article_id),
                revisions.live_snapshot(Article.objects.get(pk=article_id)),
            )
    return Conflict(based_on, current, user, when, change)
