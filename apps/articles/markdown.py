"""Editor Markdown → sanitised HTML: the one renderer for pages, previews and imports.

CommonMark with tables and footnotes (markdown-it-py), then an allow-list sanitiser (nh3,
i.e. Ammonia): whatever an editor types, no script, event handler, style or javascript: URL
reaches a reader.
"""

import nh3
from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin

from apps.media import figures

_markdown = MarkdownIt("commonmark", {"html": True, "typographer": True}).enable(
    ["table", "replacements", "smartquotes"]
)
_markdown.use(footnote_plugin)
# `![alt](image:42)`: a library image as a <figure> (apps/media/figures.py).
_markdown.use(figures.figure_plugin)

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "caption", "cite", "code", "del", "em", "figcaption",
    "figure", "h3", "h4", "h5", "h6", "hr", "i", "b", "li", "ol", "p", "pre", "q", "s",
    "section", "small", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th",
    "thead", "tr", "ul",
} | figures.TAGS  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "id"},
    "abbr": {"title"},
    "li": {"id"},
    "ol": {"start"},
    "section": {"class"},
    "sup": {"class", "id"},
    "td": {"align", "colspan", "rowspan"},
    "th": {"align", "colspan", "rowspan", "scope"},
    "hr": {"class"},
    **figures.ATTRIBUTES,
}
URL_SCHEMES = {"http", "https", "mailto"}


def sanitise(html: str) -> str:
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        # Image addresses only of this site's renditions.
        attribute_filter=figures.attribute_filter,
        url_schemes=URL_SCHEMES,
        link_rel="noopener",
        strip_comments=True,
    )
    return figures.drop_images_without_source(clean)


def parse(text: str, env: dict | None = None) -> list:
    """The Markdown's tokens, as the renderer sees them (figures finds image references)."""
    return _markdown.parse(text, {} if env is None else env)


def render(text: str, doc_id: str = "") -> str:
    """Render editor Markdown to HTML that is safe to show as is.

    `doc_id` prefixes footnote ids, so that several sections rendered separately can share
    one page without clashing ids.
    """
    if not text or not text.strip():
        return ""
    env = {"docId": doc_id} if doc_id else {}
    return sanitise(_markdown.render(text, env))
