"""Stored renders: an article's page and card as HTML, kept beside the article.

DESIGN.md's content flow, one step further: Markdown becomes sanitised HTML at save, and the
article's page (`articles/parts/head.html`, `articles/parts/body.html`) and list card
(`includes/card.html`) become HTML at save too. A public article page is then one query for the
stored page plus one for what changes with *other* articles (related, "More on", "Referenced
by": stored with the page too, and merged with the articles changed since, `nearby.py`); a
listing reads its cards with its page of rows.

Always correct, never a cache to warm:
- A render is stored under a key: the article's `render_token` as read with the content it was
  made from, plus a stamp of the templates, `RENDER_VERSION` and the settings that reach the
  HTML. Every change to what a render shows moves the token: every save and bulk update of the
  article, and edits of its authors, format, tags, images or the vocabulary
  (`ArticleQuerySet.invalidate_renders`). A render made from content read before such a change
  carries the old token, so it is never served, whatever order the writes land in.
- A reader who finds no render under the current key renders it and stores it (one upsert), so
  a deploy that changes the templates needs nothing run by hand; `manage.py render_articles`
  fills them ahead of readers.
- The one thing in a stored page that depends on the day, the citation's access date, is
  replaced when the page is served (`with_access_date`).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date
from functools import cache

from django.conf import settings
from django.db import connections, router
from django.db.models import QuerySet
from django.template.loader import get_template, render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from . import nearby, reader
from .citation import Citation, access_text
from .models import Article, ArticleRender, TaggedArticle
from .paging import paginate

# Bump when Python code that shapes the stored HTML changes (template tags, the citation, the
# cross-linker); template edits change the stamp by themselves.
RENDER_VERSION = 3
PAGE_TEMPLATES = ("articles/parts/head.html", "articles/parts/body.html")
CARD_TEMPLATE = "includes/card.html"
STORE_BATCH = 200


# Every template a stored render is made from: the parts, what they include, and the ones
# the media tags render. tests/reader/test_stored_renders.py checks that each include of
# these templates is listed.
STORED_TEMPLATES = (
    *PAGE_TEMPLATES,
    CARD_TEMPLATE,
    "includes/chips.html",
    "includes/meta.html",
    "includes/picture.html",
    "media/figure.html",
    "editorial/includes/update_notes.html",
)


@cache
def _templates_digest() -> str:
    """The stored templates, as read once per process (a deploy starts new processes)."""
    digest = hashlib.sha256(f"{RENDER_VERSION}".encode())
    for name in STORED_TEMPLATES:
        digest.update(f"\0{name}\0".encode())
        digest.update(get_template(name).template.source.encode())
    return digest.hexdigest()


@cache
def _stamp(*values: str) -> str:
    return hashlib.sha256("\0".join(values).encode()).hexdigest()[:16]


def stamp() -> str:
    """What the stored HTML depends on besides the content: templates, code, settings."""
    return _stamp(
        _templates_digest(),
        settings.SITE_URL,
        settings.SITE_NAME,
        settings.STATIC_URL,
        settings.MEDIA_URL,
        settings.TIME_ZONE,
    )


def key_for(token: int) -> str:
    return f"{stamp()}:{token}"


@dataclass
class Page:
    """An article page's stored parts and what the live part of the page needs."""

    article_id: int
    title: str
    head: SafeString
    body: SafeString
    data: dict
    # What the page showed of other articles when stored (`nearby.Found` as JSON; empty: not
    # yet), and the key of the render it belongs to.
    nearby: dict = field(default_factory=dict)
    key: str = ""

    @property
    def rail_region(self) -> dict | None:
        return self.data.get("rail_region")

    @property
    def rail_theme(self) -> dict | None:
        return self.data.get("rail_theme")


# --- Rendering ----------------------------------------------------------------------------------


def page_context(article: Article, vocabulary: reader.Vocabulary | None = None) -> dict:
    """Everything the stored page shows, for an article loaded by `reader.page_articles`.
    The vocabulary must be read after the article (see `store_renders`)."""
    reader.attach_vocabulary(article, vocabulary or reader.read_vocabulary())
    authors = [b.author for b in article.bylines.all()]
    tags = sorted(article.tags.all(), key=lambda t: t.name.casefold())
    region = reader.primary(article.region_list)
    theme = reader.primary(article.theme_list)
    from .metadata import absolute, article_ld, breadcrumbs

    url = absolute(article.get_absolute_url())
    trail = [(region.name, region.get_absolute_url())] if region else []
    return {
        "article": article,
        "authors": authors,
        "sections": article.sections.all(),
        "tags": tags,
        "rail_region": region,
        "rail_theme": theme,
        "canonical": url,
        "SITE_NAME": settings.SITE_NAME,
        "citation": Citation(
            title=article.title,
            authors=[a.name for a in authors],
            published=timezone.localdate(article.publish_at),
            url=url,
            publisher=settings.SITE_NAME,
            accessed=timezone.localdate(),
        ),
        "json_ld": [
            article_ld(article, authors, tags),
            breadcrumbs(*trail, (article.title, article.get_absolute_url())),
        ],
    }


def _term(term) -> dict | None:
    if term is None:
        return None
    return {"id": term.pk, "name": term.name, "url": term.get_absolute_url()}


def render_page(
    article: Article,
    vocabulary: reader.Vocabulary | None = None,
    tag_uses: dict[int, int] | None = None,
    rare: tuple[list[int], list[int]] | None = None,
) -> Page:
    """The article's page parts, rendered now (the staff preview uses this directly).

    `tag_uses` (tag id → articles carrying it, `reader.tag_uses`) orders the tags in the
    page's data rarest first, as related analysis looks for candidates; `rare` (the rare
    regions and themes, `reader.rare_terms`) tells it how to find their newest pieces. One
    query each if omitted.
    """
    context = page_context(article, vocabulary)
    head, body = (render_to_string(name, context) for name in PAGE_TEMPLATES)
    tag_ids = [t.pk for t in context["tags"]]
    if tag_uses is None:
        tag_uses = reader.tag_uses(tag_ids)
    region_ids = [r.pk for r in article.region_list]
    theme_ids = [t.pk for t in article.theme_list]
    rare_regions, rare_themes = rare or reader.rare_terms(region_ids, theme_ids)
    data = {
        "title": article.seo_title or article.title,
        "regions": region_ids,
        "themes": theme_ids,
        "rare_regions": [pk for pk in region_ids if pk in rare_regions],
        "rare_themes": [pk for pk in theme_ids if pk in rare_themes],
        "tags": sorted(tag_ids, key=lambda pk: (tag_uses.get(pk, 0), pk)),
        "rail_region": _term(context["rail_region"]),
        "rail_theme": _term(context["rail_theme"]),
    }
    return Page(article.pk, data["title"], mark_safe(head), mark_safe(body), data)


def render_card(article: Article) -> str:
    """One list card, for an article loaded by `reader.card_articles()` with its vocabulary
    attached."""
    return render_to_string(CARD_TEMPLATE, {"article": article})


# --- Storing ------------------------------------------------------------------------------------


def store_renders(articles: QuerySet[Article], batch_size: int = STORE_BATCH) -> int:
    """Render and store the page and card of each published article in `articles`; returns
    how many. The save path calls it for one article, `render_articles` for the archive:
    about ten queries a batch, then for each article the templates' time and the two queries
    that find what its page shows of other articles (`nearby.find`).

    Each render is stored under the token read with its content (see the module's docstring).
    """
    ids = list(
        articles.filter(status=Article.Status.PUBLISHED).order_by("pk").values_list("pk", flat=True)
    )
    for start in range(0, len(ids), batch_size):
        batch = Article.objects.filter(pk__in=ids[start : start + batch_size])
        tag_uses = reader.tag_uses(TaggedArticle.objects.filter(content_object__in=batch))
        pages = list(reader.page_articles(batch))
        cards = list(reader.card_articles(batch))
        # The vocabulary after the articles (and their tokens): a term edited in between has
        # moved the tokens, so a render made with its old name is never served.
        vocabulary = reader.read_vocabulary()
        rare = reader.rare_terms(vocabulary.regions, vocabulary.themes)
        rows = {}
        for article in pages:
            page = render_page(article, vocabulary, tag_uses, rare)
            # What the page shows of other articles, as the archive is now (two queries).
            page.nearby = nearby.find(article.pk, page.data)[0].as_json()
            rows[article.pk] = _page_row(article, page)
        for article in vocabulary.attach(cards):
            if render := rows.get(article.pk):
                render.card_key = key_for(article.render_token)
                render.card_html = render_card(article)
        _upsert(list(rows.values()), [f for f in RENDER_FIELDS if f != "article"])
    return len(ids)


RENDER_FIELDS = [
    "article",
    "page_key",
    "head_html",
    "body_html",
    "page_data",
    "nearby",
    "card_key",
    "card_html",
]


def _page_row(article: Article, page: Page) -> ArticleRender:
    """A render row for `page`, keyed by the token read with the article it was made from."""
    return ArticleRender(
        article_id=article.pk,
        page_key=key_for(article.render_token),
        head_html=page.head,
        body_html=page.body,
        page_data=page.data,
        nearby=page.nearby,
    )


def _upsert(renders: list[ArticleRender], fields: list[str]) -> None:
    if renders:
        ArticleRender.objects.bulk_create(
            renders, update_conflicts=True, unique_fields=["article"], update_fields=fields
        )


# --- Reading ------------------------------------------------------------------------------------

PAGE_FIELDS = (
    "pk",
    "slug",
    "render_token",
    "render__page_key",
    "render__head_html",
    "render__body_html",
    "render__page_data",
    "render__nearby",
)


@cache
def _page_query() -> tuple[str, list]:
    """`published_page`'s SQL, compiled once per process from the published gate: the ORM
    took longer to compile it (~1 ms) than PostgreSQL takes to run it."""
    rows = Article.objects.published().filter(slug=SLUG_MARKER).order_by()
    sql, params = rows.values_list(*PAGE_FIELDS)[:1].query.sql_with_params()
    return sql, list(params)


SLUG_MARKER = "slug-marker"


def published_page(slug: str) -> Page | None:
    """The published article at `slug` as its stored page, or None. One query, prepared on
    the connection (planning it took PostgreSQL seven times as long as running it); a missing
    or stale render is made and stored first (about ten more)."""
    sql, params = _page_query()
    with reader.prepared_cursor(router.db_for_read(Article)) as cursor:
        # The gate's clock and the slug: the only parameters that change from call to call.
        cursor.execute(sql, reader.bind(params, {SLUG_MARKER: slug}))
        found = cursor.fetchall()
    if not found:
        return None
    pk, _, token, key, head, body, data, stored = found[0]
    if isinstance(data, str):  # jsonb arrives as text through a plain cursor
        data, stored = json.loads(data), json.loads(stored)
    if key != key_for(token):
        article = reader.page_article(Article.objects.published(), pk=pk)
        page = render_page(article)
        page.key = key_for(article.render_token)
        # Its lists of other articles are found with the page's first request, and stored.
        _upsert(
            [_page_row(article, page)],
            ["page_key", "head_html", "body_html", "page_data", "nearby"],
        )
        return page
    return Page(pk, data["title"], mark_safe(head), mark_safe(body), data, stored or {}, key)


def with_cards(articles: list) -> list:
    """Give each listed article (anything with a `pk`: `CardRow`s, `reader.cards()` rows) its
    render token and stored `card_html`: one query, and two or three more to render and store
    the cards that are missing or stale. The token is read here, with the card, so that a
    listing's page of ids is an index-only walk."""
    with connections[router.db_for_read(ArticleRender)].cursor() as cursor:
        # By hand: the ORM took longer to compile this than PostgreSQL takes to run it.
        cursor.execute(
            f"SELECT a.id, a.render_token, r.card_key, r.card_html FROM {Article._meta.db_table} a"
            f" LEFT JOIN {ArticleRender._meta.db_table} r ON r.article_id = a.id"
            " WHERE a.id = ANY(%s)",
            [[a.pk for a in articles]],
        )
        stored = {pk: (token, key or "", html or "") for pk, token, key, html in cursor.fetchall()}
    stale = []
    for article in articles:
        token, article.card_key, article.card_html = stored.get(article.pk, (None, "", ""))
        article.render_token = token
        if article.card_key != key_for(token):
            stale.append(article)
    if stale:
        fresh = list(reader.card_articles(Article.objects.filter(pk__in=[a.pk for a in stale])))
        # After the articles' tokens, as in `store_renders`.
        fresh = reader.read_vocabulary().attach(fresh)
        made = {a.pk: (key_for(a.render_token), render_card(a)) for a in fresh}
        for article in stale:
            article.card_key, article.card_html = made.get(article.pk, ("", ""))
        _upsert(
            [ArticleRender(article_id=pk, card_key=k, card_html=h) for pk, (k, h) in made.items()],
            ["card_key", "card_html"],
        )
    for article in articles:
        article.card_html = mark_safe(article.card_html)
    return articles


# --- Serving ------------------------------------------------------------------------------------

ACCESS_DATE = re.compile(r'(<span class="access-date" data-style="(\w+)">)[^<]*(</span>)')


def with_access_date(html: str, today: date | None = None) -> SafeString:
    """The stored page with today's date as the citation's access date."""
    today = today or timezone.localdate()
    return mark_safe(ACCESS_DATE.sub(lambda m: f"{m[1]}{access_text(m[2], today)}{m[3]}", html))


def card_page(request, **terms: int):
    """The requested page of published articles carrying every one of `terms` (relation name
    → primary key: `tags=5`, `regions=1, themes=2`, `authors=…`, `format=…`; none: every
    article), as stored cards: the page's ids and their cards (two queries), or 404
    (`paging.paginate`)."""
    relations = tuple(sorted(terms))
    page = paginate(request, lambda start, count: _listing_rows(relations, terms, start, count))
    page.object_list = with_cards(page.object_list)
    return page


@dataclass
class CardRow:
    """A listed article as `with_cards` needs it (which fills in the rest)."""

    pk: int
    render_token: int | None = None
    card_key: str = ""
    card_html: str = ""


# Primary keys no row takes, standing for the terms in a listing's compiled SQL.
TERM_MARKERS = (-7_301_991, -7_301_992, -7_301_993)


@cache
def _listing_query(relations: tuple[str, ...]) -> tuple[str, tuple]:
    """The SQL of a listing filtered on `relations`, compiled once per process from
    `reader.cards()` (the published gate, newest first): compiling it took the ORM longer
    than PostgreSQL takes to run it. Each relation is a separate filter, as a view would chain
    them (two relations to the same table would otherwise be one join)."""
    if len(relations) > len(TERM_MARKERS):
        raise ValueError(f"a listing filters on at most {len(TERM_MARKERS)} relations")
    queryset = Article.objects.all()
    for relation, marker in zip(relations, TERM_MARKERS, strict=False):
        queryset = queryset.filter(**{relation: marker})
    # Ids only: the walk of the publish-order index needs no table row (`with_cards` reads the
    # page's render tokens with its cards), which halves a deep page's cost.
    sql, params = reader.cards(queryset).values_list("pk").query.sql_with_params()
    return f"{sql} LIMIT %s OFFSET %s", tuple(params)


def _listing_rows(relations: tuple[str, ...], terms: dict, start: int, count: int) -> list:
    sql, params = _listing_query(relations)
    values = dict(zip(TERM_MARKERS, (terms[r] for r in relations), strict=False))
    with connections[router.db_for_read(Article)].cursor() as cursor:
        cursor.execute(sql, [*reader.bind(params, values), count, start])
        return [CardRow(pk) for (pk,) in cursor.fetchall()]
