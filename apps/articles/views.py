from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from .models import Article


def home(request: HttpRequest) -> HttpResponse:
    latest = Article.objects.published().for_listing()[:20]
    return render(request, "articles/home.html", {"latest": latest})


def detail(request: HttpRequest, slug: str) -> HttpResponse:
    article = get_object_or_404(
        Article.objects.published().for_listing().prefetch_related("sections"), slug=slug
    )
    return render(request, "articles/detail.html", {"article": article})
