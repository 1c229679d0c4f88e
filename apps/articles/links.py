"""Links inside article bodies: the article-to-article link graph and vocabulary cross-links.

Both work on the *sanitised* HTML (what nh3 let through), token by token with the standard
library's HTML parser, so they can neither break markup nor let anything unsafe back in:
text is re-escaped, tags are copied as the sanitiser emitted them.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from html import escape
from html.parser import HTMLParser
from urllib.parse import urlsplit

from django.conf import settings

ARTICLE_PATH = re.compile(r"^/articles/(?P<slug>[-a-zA-Z0-9_]+)/?$")


class _HrefCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.hrefs.extend(value for name, value in attrs if name == "href" and value)


def linked_article_slugs(*html_fragments: str) -> set[str]:
    """Slugs of the articles that the given HTML links to (`/articles/<slug>/`).

    Relative links and absolute links to this site (SITE_URL's host) count; fragments and
    query strings are ignored, so `/articles/x/#a-section` links to x.
    """
    site_host = urlsplit(settings.SITE_URL).netloc
    slugs: set[str] = set()
    for html in html_fragments:
        if not html:
            continue
        collector = _HrefCollector()
        collector.feed(html)
        collector.close()
        for href in collector.hrefs:
            parts = urlsplit(href.strip())
            if parts.scheme and parts.scheme not in {"http", "https"}:
                continue
            if parts.netloc and parts.netloc != site_host:
                continue
            if match := ARTICLE_PATH.match(parts.path):
                slugs.add(match["slug"])
    return slugs


@dataclass(frozen=True)
class Term:
    """A vocabulary name to link, e.g. ("South Korea", "/regions/south-korea/")."""

    name: str
    url: str


# Text inside these elements is never linked: links cannot nest, and code or headings
# should read exactly as written.
_NO_LINK_INSIDE = {"a", "code", "pre", "h3", "h4", "h5", "h6", "sup", "abbr"}
_VOID = {"br", "hr", "img", "wbr"}


class _VocabularyLinker(HTMLParser):
    def __init__(self, pattern: re.Pattern[str], urls: dict[str, str]) -> None:
        super().__init__(convert_charrefs=True)
        self.pattern = pattern
        self.urls = urls
        self.out: list[str] = []
        self.blocked: list[str] = []
        self.linked: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.append(self.get_starttag_text() or "")
        if tag in _NO_LINK_INSIDE and tag not in _VOID:
            self.blocked.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.append(self.get_starttag_text() or "")

    def handle_endtag(self, tag: str) -> None:
        self.out.append(f"</{tag}>")
        if tag in self.blocked:
            # Pop back to the matching open element (the sanitiser guarantees nesting).
            while self.blocked and self.blocked.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if self.blocked:
            self.out.append(escape(data, quote=False))
            return
        self.out.append(self._link(data))

    def _link(self, text: str) -> str:
        pieces: list[str] = []
        position = 0
        for match in self.pattern.finditer(text):
            key = match.group(0).casefold()
            if key in self.linked:
                continue
            self.linked.add(key)
            pieces.append(escape(text[position : match.start()], quote=False))
            pieces.append(
                f'<a class="term-link" href="{escape(self.urls[key])}">'
                f"{escape(match.group(0), quote=False)}</a>"
            )
            position = match.end()
        pieces.append(escape(text[position:], quote=False))
        return "".join(pieces)

    def handle_comment(self, data: str) -> None:
        pass  # the sanitiser strips comments; drop any that slip through rather than echo them

    def handle_entityref(self, name: str) -> None:  # pragma: no cover - convert_charrefs
        self.out.append(f"&{name};")

    def handle_charref(self, name: str) -> None:  # pragma: no cover - convert_charrefs
        self.out.append(f"&#{name};")


def link_terms(html: str, terms: Iterable[Term]) -> str:
    """Link the first mention of each term in `html` (sanitised HTML) to its URL.

    Whole words only, case-insensitive ("trade" links to the theme Trade); longer names win
    over shorter ones ("South Korea" before "Korea"). Text inside links, code and headings is
    left alone; each term is linked once.
    """
    terms = [t for t in terms if t.name.strip()]
    if not html or not terms:
        return html
    urls = {t.name.casefold(): t.url for t in terms}
    names = sorted(urls, key=len, reverse=True)
    pattern = re.compile(
        r"(?<![\w-])(?:" + "|".join(re.escape(n) for n in names) + r")(?![\w-])",
        re.IGNORECASE,
    )
    linker = _VocabularyLinker(pattern, urls)
    linker.feed(html)
    linker.close()
    return "".join(linker.out)
