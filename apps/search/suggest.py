"""Close matches for a search that found nothing: published titles and tags in use."""

from dataclasses import dataclass

from django.contrib.postgres.search import TrigramSimilarity, TrigramWordSimilarity
from django.db import connections, transaction
from django.db.models import Exists, OuterRef
from taggit.models import Tag

from apps.articles.models import Article, TaggedArticle

from .query import set_timeout, wanted_words

MAX_SUGGESTIONS = 5
_TRIGRAM_AVAILABLE: dict[str, bool] = {}


@dataclass(frozen=True)
class Suggestions:
    articles: list[Article]
    tags: list[Tag]

    def __bool__(self) -> bool:
        return bool(self.articles or self.tags)


def trigram_available(alias: str = "default") -> bool:
    """Whether pg_trgm is installed in the database (asked once per process)."""
    if alias not in _TRIGRAM_AVAILABLE:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
            _TRIGRAM_AVAILABLE[alias] = cursor.fetchone() is not None
    return _TRIGRAM_AVAILABLE[alias]


def suggest(q: str) -> Suggestions:
    """Up to five published titles and five tags that resemble `q`, under the statement
    timeout. Four or five queries (with the transaction's)."""
    text = " ".join(wanted_words(q))
    if not text:
        return Suggestions([], [])
    with transaction.atomic():
        set_timeout()
        return _suggest(text)


def _suggest(text: str) -> Suggestions:
    tags_in_use = Tag.objects.filter(
        Exists(
            TaggedArticle.objects.filter(
                tag=OuterRef("pk"), content_object__in=Article.objects.published()
            )
        )
    )
    if trigram_available():
        articles = (
            Article.objects.published()
            .filter(title__trigram_word_similar=text)
            .annotate(similarity=TrigramWordSimilarity(text, "title"))
            .order_by("-similarity", "-publish_at")
            .only("title", "slug")[:MAX_SUGGESTIONS]
        )
        tags = (
            tags_in_use.filter(name__trigram_similar=text)
            .annotate(similarity=TrigramSimilarity("name", text))
            .order_by("-similarity", "name")[:MAX_SUGGESTIONS]
        )
    else:
        # Without pg_trgm: tags sharing the beginning of a word of the query.
        stems = [w[:4] for w in text.split() if len(w) >= 4][:3]
        articles = Article.objects.none()
        tags = tags_in_use.none()
        for stem in stems:
            tags = tags | tags_in_use.filter(name__istartswith=stem)
        tags = tags.order_by("name")[:MAX_SUGGESTIONS]
    return Suggestions(articles=list(articles), tags=list(tags))
