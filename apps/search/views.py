import math

import psycopg.errors
from django.db import OperationalError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from . import query
from .forms import SearchForm
from .snippets import highlight
from .suggest import Suggestions, suggest

TEMPLATE = "search/results.html"


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
        with transaction.atomic():
            context.update(run_search(q, filters, page))
    except OperationalError as error:
        if not isinstance(error.__cause__, psycopg.errors.QueryCanceled):
            raise
        context["timed_out"] = True
        return render_page(request, context, status=503)
    return render_page(request, context)


def run_search(q: str, filters: query.Filters, page: int) -> dict:
    """Results, facets, snippets and suggestions; statements bounded by the timeout."""
    parsed = None
    if q:
        parsed = query.prepare(q)
        if not parsed.has_terms:
            return {"no_terms": True}
        ranked = query.for_cards(query.ranked(parsed, filters))
    else:
        query.set_timeout()
        ranked = query.for_cards(query.browse(filters))
    offset = (page - 1) * query.PAGE_SIZE
    articles = list(ranked[offset : offset + query.PAGE_SIZE])
    if not articles and page > 1:
        raise Http404("No such page of results.")
    facets = query.facets(parsed, filters)
    if parsed is not None:
        ranked_total = articles[0].ranked_total if articles else 0
        found = snippets_for(parsed, articles)
    else:
        ranked_total = facets.total
        found = {}
    for article in articles:
        article.snippet = found.get(article.pk)
    num_pages = max(1, math.ceil(ranked_total / query.PAGE_SIZE))
    return {
        "articles": articles,
        "facets": facets,
        "ranked_total": ranked_total,
        "pages": {
            "number": page,
            "count": num_pages,
            "previous": page - 1 if page > 1 else None,
            "next": page + 1 if page < num_pages else None,
        },
        "suggestions": suggest(q) if q and not articles else Suggestions([], []),
    }


def snippets_for(parsed: query.ParsedQuery, articles: list) -> dict:
    found = query.snippets(parsed, [a.pk for a in articles])
    return {
        article_id: {"anchor": s.anchor, "heading": s.heading, "html": highlight(s.raw)}
        for article_id, s in found.items()
    }


def render_page(request: HttpRequest, context: dict, status: int = 200) -> HttpResponse:
    response = render(request, TEMPLATE, context, status=status)
    response["X-Robots-Tag"] = "noindex"
    return response
