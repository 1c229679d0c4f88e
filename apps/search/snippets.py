"""Snippet text → safe HTML: escape everything, then add the highlight markup."""

import html
import re

from django.utils.safestring import SafeString, mark_safe

from .query import MARK_END, MARK_START

_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_FOOTNOTE_REF = re.compile(r"\[\^[^\]]*\]")
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_EMPHASIS = re.compile(r"(\*{1,3}|_{2,3}|`+|~~)")
_LINE_MARKER = re.compile(r"(?m)^\s*(#{1,6}|>|[-*+]|\d+\.)\s+")
_SPACE = re.compile(r"\s+")


def plain(markdown_text: str) -> str:
    """Markdown source read as plain text, well enough for a two-line excerpt."""
    text = _LINK.sub(r"\1", markdown_text)
    text = _FOOTNOTE_REF.sub("", text)
    text = _TAG.sub(" ", text)
    text = _LINE_MARKER.sub("", text)
    text = _EMPHASIS.sub("", text)
    return _SPACE.sub(" ", text).strip()


def highlight(raw: str) -> SafeString:
    """Escaped `raw` with <mark> around the spans ts_headline delimited, always balanced."""
    parts: list[str] = []
    open_mark = False
    for piece in re.split(f"([{MARK_START}{MARK_END}])", plain(raw)):
        if piece == MARK_START:
            if not open_mark:
                parts.append("<mark>")
                open_mark = True
        elif piece == MARK_END:
            if open_mark:
                parts.append("</mark>")
                open_mark = False
        else:
            parts.append(html.escape(piece))  # django's escape(), minus its lazy wrapper
    if open_mark:
        parts.append("</mark>")
    return mark_safe("".join(parts))  # every piece of text was escaped above
