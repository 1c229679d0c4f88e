"""Structured data for search engines and reference managers (JSON-LD, Highwire tags)."""

from django.conf import settings
from django.urls import reverse

from .models import Article, Author


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def organisation() -> dict:
    return {"@type": "Organization", "name": settings.SITE_NAME, "url": absolute("/")}


def breadcrumbs(*trail: tuple[str, str]) -> dict:
    """BreadcrumbList from (name, path) pairs, the home page first."""
    items = [("Home", reverse("articles:home")), *trail]
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": i, "name": name, "item": absolute(path)}
            for i, (name, path) in enumerate(items, start=1)
        ],
    }


def person(author: Author) -> dict:
    data = {
        "@type": "Person",
        "name": author.name,
        "url": absolute(author.get_absolute_url()),
    }
    if author.role:
        data["jobTitle"] = author.role
    if author.affiliation:
        data["affiliation"] = {"@type": "Organization", "name": author.affiliation}
    if author.bio:
        data["description"] = author.bio
    return data


def article_ld(article: Article, authors: list[Author], tags: list) -> dict:
    """NewsArticle, or AnalysisNewsArticle for analytical formats."""
    analytical = article.format.slug in {"analysis", "report", "brief", "explainer"}
    url = absolute(article.get_absolute_url())
    about = [
        {"@type": "Place", "name": r.name, "url": absolute(r.get_absolute_url())}
        for r in article.region_list
    ] + [
        {"@type": "Thing", "name": t.name, "url": absolute(t.get_absolute_url())}
        for t in article.theme_list
    ]
    data = {
        "@context": "https://schema.org",
        "@type": "AnalysisNewsArticle" if analytical else "NewsArticle",
        "headline": article.title[:110],
        "description": article.seo_description or article.dek,
        "url": url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "datePublished": article.publish_at.isoformat(),
        "dateModified": (article.last_updated_at or article.publish_at).isoformat(),
        "author": [{"@context": "https://schema.org", **person(a)} for a in authors],
        "publisher": organisation(),
        "articleSection": article.format.name,
        "about": about,
        "keywords": [
            *(r.name for r in article.region_list),
            *(t.name for t in article.theme_list),
            *(t.name for t in tags),
        ],
        "wordCount": article.reading_time * 230,
        "isAccessibleForFree": True,
        "inLanguage": "en",
    }
    for author in data["author"]:
        author.pop("@context")
    return data
