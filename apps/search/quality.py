"""Exhaustive ranking, to measure what the candidate stage of `query.results()` gives away.

`exhaustive_ranking()` scores every published match by the full weighted vector times the same
recency boost (no candidate stage); `top_k_agreement()` compares it with the served ranking.
Slow on a large archive by design: for benchmarks and tests, never for a request.

    from apps.search.quality import top_k_agreement
    top_k_agreement("alliance")  # 1.0 = the served first 10 are exactly the exhaustive first 10
"""

from django.db import transaction

from . import query


def _parse(q: str) -> query.ParsedQuery:
    with transaction.atomic():
        return query.prepare(q)


def exhaustive_ranking(q: str, k: int = 10, filters: query.Filters | None = None) -> list[int]:
    """Ids of the best `k` published matches of `q`, every match ranked by the full vector."""
    parsed = _parse(q)
    filters = filters or query.Filters()
    return list(
        query.base_queryset(filters)
        .filter(query.Matches(query.F("search_vector"), query.tsquery(parsed.tsquery)))
        .annotate(score=query.score("search_vector", parsed.tsquery))
        .order_by("-score", "-publish_at", "-id")
        .values_list("id", flat=True)[:k]
    )


def served_ranking(q: str, k: int = 10, filters: query.Filters | None = None) -> list[int]:
    """Ids of the first `k` results as /search/ serves them (candidate stage, then re-rank)."""
    parsed = _parse(q)
    return [r.id for r in query.results(parsed, filters or query.Filters(), 0, k).results]


def top_k_agreement(q: str, k: int = 10, filters: query.Filters | None = None) -> float:
    """Share of the exhaustive first `k` that the served first `k` contain (1.0 when none)."""
    exact = exhaustive_ranking(q, k, filters)
    if not exact:
        return 1.0
    return len(set(exact) & set(served_ranking(q, k, filters))) / len(exact)
