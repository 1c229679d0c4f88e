"""Staff previews and shared preview links: the reader's page, for an article not yet public.

Both render the article page's own template with the context the public view builds
(`apps.articles.views.detail_context`), inside a "Preview — not published" banner. Responses are
never cached or indexed, and never share a cache with public pages.
"""

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from apps.articles.models import Article

from .models import ShareLink


def _preview(request: HttpRequest, article_id: int, shared: ShareLink | None) -> HttpResponse:
    # Imported here: the article views import this app's redirects module.
    from apps.articles import reader
    from apps.articles.views import detail_context

    article = reader.page_article(Article.objects.all(), pk=article_id)
    if article.publish_at is None:
        # What readers would see if it were published now.
        article.publish_at = timezone.now()
    context = detail_context(article)
    context["preview"] = {"article": article, "shared": shared, "is_public": article.is_public}
    response = render(request, "editorial/preview.html", context)
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_GET
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    """Any article, as readers will see it, for staff who may change articles."""
    user = request.user
    if not user.is_authenticated or not user.is_staff:
        return redirect_to_login(request.get_full_path())
    if not user.has_perm("articles.change_article"):
        raise Http404("No such preview")
    return _preview(request, pk, None)


@require_GET
def shared(request: HttpRequest, token: str) -> HttpResponse:
    """A signed link for outside reviewers: the article's current draft, until it expires."""
    link = ShareLink.from_token(token)
    if link is None:
        raise Http404("This preview link is not valid (expired, revoked or mistyped).")
    return _preview(request, link.article_id, link)
