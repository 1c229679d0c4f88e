from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from apps.editorial.redirects import redirect_for_slug

from . import metadata, nearby, rails, reader, rendering
from .home import context as home_context
from .models import Article, Author, Format


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Featured piece, latest, a block per region and per theme, the coverage matrix."""
    return render(request, "articles/home.html", home_context())


@require_GET
def detail(request: HttpRequest, slug: str) -> HttpResponse:
    """An article: its stored page (one query) and what links it to others (one query)."""
    page = rendering.published_page(slug)
    if page is None:
        # A published article's old slug answers with a 301 to its current URL.
        if moved := redirect_for_slug(slug):
            return moved
        raise Http404("No such article")
    return render(request, "articles/detail.html", page_context(page))


def page_context(page: rendering.Page) -> dict:
    found = nearby.nearby(page.article_id, page.data, page.nearby, page.key)
    return {
        "page": page,
        "body": rendering.with_access_date(page.body),
        **found,
        "after_article": rails.after_article(page.rail_region, page.rail_theme, **found),
    }


def detail_context(article: Article) -> dict:
    """The article page's context, rendered now: the editorial preview's."""
    return page_context(rendering.render_page(article))


def _listing(
    request: HttpRequest, template: str, heading: str, terms: dict, **extra
) -> HttpResponse:
    page = rendering.card_page(request, **terms)
    return render(request, template, {"page": page, "heading": heading, **extra})


@require_GET
def author(request: HttpRequest, slug: str) -> HttpResponse:
    person = get_object_or_404(
        Author.objects.select_related("photo").prefetch_related("photo__renditions"), slug=slug
    )
    return _listing(
        request,
        "articles/author.html",
        person.name,
        {"authors": person.pk},
        author=person,
        json_ld=[
            {"@context": "https://schema.org", **metadata.person(person)},
            metadata.breadcrumbs((person.name, person.get_absolute_url())),
        ],
    )


@require_GET
def format_listing(request: HttpRequest, slug: str) -> HttpResponse:
    kind = get_object_or_404(Format, slug=slug)
    return _listing(
        request,
        "articles/listing.html",
        kind.name,
        {"format": kind.pk},
        kicker="Format",
        description=kind.description,
        feed_name="articles:format",
        feed_arg=kind.slug,
        json_ld=metadata.breadcrumbs((kind.name, kind.get_absolute_url())),
    )


@require_GET
def tag(request: HttpRequest, slug: str) -> HttpResponse:
    # A tag used only by unpublished articles must not reveal that it exists.
    term = reader.public_tag(slug)
    page = rendering.card_page(request, tags=term.pk)
    path = f"/tags/{term.slug}/"
    return render(
        request,
        "articles/listing.html",
        {
            "page": page,
            "heading": term.name,
            "kicker": "Tag",
            "feed_name": "articles:tag",
            "feed_arg": term.slug,
            "json_ld": metadata.breadcrumbs((term.name, path)),
        },
    )
