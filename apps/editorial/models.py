import secrets
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import models
from django.urls import reverse
from django.utils import timezone

from apps.articles.models import Article

SHARE_LINK_DAYS = 7
SHARE_SALT = "editorial.share-link"


def new_share_key() -> str:
    return secrets.token_urlsafe(24)


def default_share_expiry():
    return timezone.now() + timedelta(days=SHARE_LINK_DAYS)


class ShareLinkQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ShareLink(models.Model):
    """A signed, expiring, revocable link that shows an article's current draft to anyone."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="share_links")
    key = models.CharField(max_length=64, default=new_share_key, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, editable=False
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField(
        "expires",
        default=default_share_expiry,
        help_text="After this time the link shows “not found”. Shorten it to end access sooner.",
    )
    revoked_at = models.DateTimeField("revoked", null=True, blank=True, editable=False)

    objects = ShareLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "shared preview link"
        constraints = [
            models.UniqueConstraint(fields=["key"], name="sharelink_unique_key"),
        ]

    def __str__(self) -> str:
        return f"Preview of “{self.article}”"

    def get_absolute_url(self) -> str:
        return reverse("editorial:share", args=[self.token])

    @property
    def token(self) -> str:
        return signing.dumps({"id": self.pk, "key": self.key}, salt=SHARE_SALT)

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    @classmethod
    def from_token(cls, token: str) -> "ShareLink | None":
        """The active link a token names; None when tampered, expired or revoked (a query)."""
        try:
            data = signing.loads(token, salt=SHARE_SALT)
            link_id, key = int(data["id"]), str(data["key"])
        except (signing.BadSignature, KeyError, TypeError, ValueError):
            return None
        link = cls.objects.active().select_related("article").filter(pk=link_id).first()
        if link is None or not secrets.compare_digest(link.key, key):
            return None
        return link


class AuditEntry(models.Model):
    """Who did what to an article: transitions, shared previews, restores, deletions."""

    class Action(models.TextChoices):
        TRANSITION = "transition", "Status change"
        SHARED = "shared", "Preview link shared"
        SHARE_REVOKED = "share_revoked", "Preview link revoked"
        RESTORED = "restored", "Revision restored"
        DELETED = "deleted", "Deleted"
        RECOVERED = "recovered", "Recovered after deletion"
        SLUG_CHANGED = "slug_changed", "URL changed"

    article = models.ForeignKey(
        Article, on_delete=models.SET_NULL, null=True, blank=True, related_name="audit_entries"
    )
    article_title = models.CharField(max_length=300)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    action = models.CharField(max_length=20, choices=Action)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    detail = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "audit entries"
        indexes = [
            models.Index(fields=["-created_at"], name="auditentry_created_idx"),
            models.Index(fields=["article", "-created_at"], name="auditentry_article_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.article_title}"

    @classmethod
    def record(
        cls, action: str, article: Article, user=None, detail: str = "", **fields
    ) -> "AuditEntry":
        return cls.objects.create(
            action=action,
            article=article if article.pk else None,
            article_title=article.title[:300],
            user=user if user is not None and user.is_authenticated else None,
            detail=detail,
            **fields,
        )


class UpdateNote(models.Model):
    """A public note shown on the article, e.g. “Updated 14 Nov: added Seoul's response”."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="update_notes")
    note = models.CharField(max_length=300)
    created_at = models.DateTimeField("date", default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["article", "-created_at"], name="updatenote_article_idx"),
        ]

    def __str__(self) -> str:
        return self.note

    # Notes are shown on the article's stored page: retire it.
    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        Article.objects.filter(pk=self.article_id).invalidate_renders()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        Article.objects.filter(pk=self.article_id).invalidate_renders()
        return result


class SlugRedirect(models.Model):
    """An old URL slug of a published article, answered with a 301 to its current URL."""

    old_slug = models.SlugField(max_length=200)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="slug_redirects")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["old_slug"]
        constraints = [
            models.UniqueConstraint(fields=["old_slug"], name="slugredirect_unique_old_slug"),
        ]

    def __str__(self) -> str:
        return f"/articles/{self.old_slug}/ → {self.article.slug}"
