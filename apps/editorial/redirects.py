"""Old URLs of published articles keep working: /articles/<old-slug>/ → 301 → current URL."""

from django.http import HttpResponsePermanentRedirect

from apps.articles.models import Article

from .models import AuditEntry, SlugRedirect


def record_slug_change(article: Article, old_slug: str, user=None) -> None:
    """Called by every save path that can change a slug (the admin for now)."""
    # The new slug is a live URL again: it must not redirect anywhere.
    SlugRedirect.objects.filter(old_slug=article.slug).delete()
    if article.first_published_at is None:
        return  # never public: nobody can have linked to the old URL
    SlugRedirect.objects.update_or_create(old_slug=old_slug, defaults={"article": article})
    AuditEntry.record(
        AuditEntry.Action.SLUG_CHANGED, article, user, detail=f"{old_slug} → {article.slug}"
    )


def redirect_for_slug(slug: str) -> HttpResponsePermanentRedirect | None:
    """The 301 for a slug that used to belong to a published article (one query).

    For the article page's 404 path only; the target must be public today.
    """
    target = (
        Article.objects.published()
        .filter(slug_redirects__old_slug=slug)
        .values_list("slug", flat=True)
        .first()
    )
    if target is None:
        return None
    return HttpResponsePermanentRedirect(Article(slug=target).get_absolute_url())
