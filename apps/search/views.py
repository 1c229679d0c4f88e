import html
import math
from collections.abc import Callable
from functools import cache, lru_cache
from urllib.parse import quote, quote_plus, urlencode

import psycopg.errors
from django.conf import settings
from django.db import OperationalError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from apps.articles.citation import MONTHS

from . import query
from .forms import SearchForm
from .snippets import highlight
from .suggest import Suggestions, suggest

TEMPLATE = "search/results.html"
_SLUG = "search-slug-placeholder"
_URL = "search-url-placeholder"
DESCRIPTION = "Search the analysis by word, region, theme, format, author and year."


def results(request: HttpRequest) -> HttpResponse:
    """/search/?q=…&region=…&theme=…&format=…&author=…&year=…&page=…"""
    form = SearchForm(request.GET)
    context: dict = {"form": form, "search_query": request.GET.get("q", "")[:200]}
    if not form.is_valid():
        return render_page(request, context, status=400)
    data = form.cleaned_data
    q: str = data["q"]
    filters = query.Filters(
        region=data["region"],
        theme=data["theme"],
        format=data["format"],
        author=data["author"],
        year=data["year"],
    )
    page = data["page"] or 1
    context.update(search_query=q, q=q, filters=filters, truncated=form.truncated, page=page)
    try:
        context.update(run_search(q, filters, page))
    except OperationalError as error:
        if not isinstance(error.__cause__, psycopg.errors.QueryCanceled):
            raise
        context["timed_out"] = True
        return render_page(request, context, status=503)
    context["facet_lists"] = facet_lists(context["facets"], request.GET)
    if context.get("phrase_sampled") and not context["articles"]:
        context["unquoted_url"] = unquoted_url(request.GET)
    pages = context.get("pages")
    if pages and pages["count"] > 1:
        for key in ("previous", "next"):
            if pages[key]:
                pages[f"{key}_url"] = page_url(request.GET, pages[key])
    return render_page(request, context)


def run_search(q: str, filters: query.Filters, page: int) -> dict:
    """Results, facets, snippets and suggestions; each statement bounded by the timeout
    (`query.bounded`), without a transaction of its own."""
    offset = (page - 1) * query.PAGE_SIZE
    if q:
        found, facets, has_terms = query.search_text(q, filters, offset, query.PAGE_SIZE)
        if not has_terms:
            return {"no_terms": True, "facets": None}
        ranked_total = found.ranked_total
    else:
        found = query.browse(filters, offset, query.PAGE_SIZE)
        facets = query.facets(None, filters)
        ranked_total = facets.total
    articles = found.results
    if not articles and page > 1:
        raise Http404("No such page of results.")
    add_links(articles)
    num_pages = max(1, math.ceil(ranked_total / query.PAGE_SIZE))
    return {
        "articles": articles,
        "cards": cards_html(articles),
        "facets": facets,
        "ranked_total": ranked_total,
        "pages": {
            "number": page,
            "count": num_pages,
            "previous": page - 1 if page > 1 else None,
            "next": page + 1 if page < num_pages else None,
        },
        "phrase_sampled": found.phrase_sampled,
        "suggestions": (
            suggest(q) if q and not articles and not found.phrase_sampled else Suggestions([], [])
        ),
    }


@cache
def slug_url(name: str) -> Callable[[str], str]:
    """`reverse(name, args=[slug])` for any number of slugs: one reverse() per process."""
    prefix, _, suffix = reverse(name, args=[_SLUG]).partition(_SLUG)
    return lambda slug: f"{prefix}{quote(slug)}{suffix}"


@cache
def results_url() -> str:
    """This page's own URL, for its form: reversed once per process (~40 µs each)."""
    return reverse("search:results")


def esc(value) -> str:
    """What django.utils.html.escape returns, without its lazy-string wrapper: the card, chip
    and facet HTML below escapes ~700 values a page, and that wrapper cost more than them."""
    return html.escape(str(value))


# What a results page repeats most, built here rather than by template loops: the cards, the
# chips on every card and the facet values (~110 list items on a full page).
REGION_CHIP = '<li><a class="chip chip--region" href="{}">{}</a></li>'
THEME_CHIP = '<li><a class="chip chip--theme" href="{}">{}</a></li>'
CARD = (
    '\n        <li class="card">\n'
    '          <p class="card__meta"><span class="kicker">{}</span> '
    '<time datetime="{}">{}</time></p>\n'
    '          <h2 class="card__title"><a href="{}">{}</a></h2>\n'
    "          {}\n"
    "          {}\n"
    "          {}\n"
    "        </li>"
)
DEK = '<p class="card__dek">{}</p>'
SNIPPET = '<p class="search__snippet"><a href="{}#{}">{}</a>: {}</p>'
CHIPS = '<ul class="chips chips--small" aria-label="Regions and themes">{}</ul>'
FACET_ITEM = '<li><a href="{}">{}</a> <span class="facet__count">{}{}</span></li>'


@lru_cache(maxsize=1024)
def chip(template: str, route: str, slug: str, name: str) -> str:
    """A region or theme chip, escaped: the same few dozen on every page (~80 chips a page),
    so each is built once per process. A renamed term is another key."""
    return template.format(esc(slug_url(route)(slug)), esc(name))


def add_links(articles: list[query.Result]) -> None:
    """Each result's URL, chips and highlighted snippet, for a template that only reads."""
    article_url = slug_url("articles:detail")
    for article in articles:
        article.url = article_url(article.slug)
        chips = [chip(REGION_CHIP, "regions:detail", s, n) for s, n in article.regions]
        chips += [chip(THEME_CHIP, "regions:theme", s, n) for s, n in article.themes]
        article.chips = mark_safe("".join(chips))  # every value escaped in chip()
        if article.snippet is not None:
            article.snippet_html = highlight(article.snippet.raw)


def cards_html(articles: list[query.Result]) -> SafeString:
    """The result cards (after `add_links`). Dates are written as the date filter's "j F Y"
    would, without its format machinery (~25 µs a card; the article rails do the same)."""
    cards = []
    zone = timezone.get_current_timezone()  # a context-local read (~3 µs): once, not per card
    for article in articles:
        published = timezone.localtime(article.publish_at, zone)
        snippet = article.snippet
        url = esc(article.url)
        cards.append(
            CARD.format(
                esc(article.format_name),
                published.replace(microsecond=0).isoformat(),
                f"{published.day} {MONTHS[published.month - 1]} {published.year}",
                url,
                esc(article.title),
                DEK.format(esc(article.dek)) if article.dek else "",
                SNIPPET.format(url, esc(snippet.anchor), esc(snippet.heading), article.snippet_html)
                if snippet is not None
                else "",
                CHIPS.format(article.chips) if article.chips else "",
            )
        )
    # Every value was escaped above; snippet_html and chips are HTML built escaped.
    return mark_safe("".join(cards))


def facet_lists(facets: query.Facets | None, params: QueryDict) -> list[tuple[str, str]]:
    """(title, list items) of each facet with values: the values shown (the query reads only
    `query.FACET_VALUES_SHOWN` a facet), each linking to this page's query string with that
    value, from page 1.

    The links are what `{% querystring name=value page=None %}` gives, built once per facet
    rather than once per value.
    """
    if not facets:
        return []
    pairs = [(k, v) for k, values in params.lists() if k != "page" for v in values]
    keys = [k for k, _ in pairs]
    plus = "+" if facets.capped else ""
    lists = []
    for name, values in facets.groups.items():
        if not values:
            continue
        if name in keys:
            at = keys.index(name)
            before = pairs[:at]
            after = [(k, v) for k, v in pairs[at:] if k != name]
        else:
            before, after = pairs, []
        head = urlencode(before) + "&" if before else ""
        tail = "&" + urlencode(after) if after else ""
        for value in values:
            value.url = f"?{head}{name}={quote_plus(value.key)}{tail}"  # urlencode's own quoting
        items = "\n          ".join(
            FACET_ITEM.format(esc(v.url), esc(v.label), v.count, plus) for v in values
        )
        lists.append((name.capitalize(), mark_safe(items)))  # every value escaped above
    return lists


def unquoted_url(params: QueryDict) -> str:
    """This page's query string from page 1, its words without quotation marks (no phrase)."""
    pairs = [
        (k, " ".join(v.replace('"', " ").split()) if k == "q" else v)
        for k, values in params.lists()
        if k != "page"
        for v in values
    ]
    return f"?{urlencode(pairs)}"


def page_url(params: QueryDict, page: int) -> str:
    """What `{% querystring page=page %}` gives: this page's query string, with that page."""
    pairs = [(k, v) for k, values in params.lists() for v in ([page] if k == "page" else values)]
    if "page" not in params:
        pairs.append(("page", page))
    return f"?{urlencode(pairs)}"


@cache
def meta_parts() -> list[str]:
    """includes/meta.html for this page, rendered once per process around a placeholder for
    its URL, the one value that changes: its filters (striptags, truncatechars) cost ~0.2 ms a
    page for a description that never changes."""
    context = {
        "title": "Search",
        "description": DESCRIPTION,
        "url": _URL,
        "noindex": True,
        "SITE_NAME": settings.SITE_NAME,
    }
    return render_to_string("includes/meta.html", context).split(_URL)


def render_page(request: HttpRequest, context: dict, status: int = 200) -> HttpResponse:
    url = esc(request.build_absolute_uri())
    context["meta"] = mark_safe(url.join(meta_parts()))  # a rendered template and an escaped URL
    context["search_url"] = results_url()
    response = render(request, TEMPLATE, context, status=status)
    response["X-Robots-Tag"] = "noindex"
    return response
