"""Snippet text → safe HTML: escape everything, then add the highlight markup.

A results page highlights up to 20 snippets of ~300 characters; each regular expression below
runs only when the text has the character its pattern cannot match without (most snippets
have no markup left: the search statement strips tags and links before ts_headline cuts them).
"""

import html
import re

from django.utils.safestring import SafeString, mark_safe

from .query import MARK_END, MARK_START

_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_FOOTNOTE_REF = re.compile(r"\[\^[^\]]*\]")
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_EMPHASIS = re.compile(r"(\*{1,3}|_{2,3}|`+|~~)")
_LINE_MARKER = re.compile(r"(?m)^\s*(#{1,6}|>|[-*+]|\d+\.)\s+")


def plain(markdown_text: str) -> str:
    """Markdown source read as plain text, well enough for a two-line excerpt."""
    text = markdown_text
    if "[" in text:
        text = _LINK.sub(r"\1", text)
        text = _FOOTNOTE_REF.sub("", text)
    if "<" in text:
        text = _TAG.sub(" ", text)
    if "\n" in text:
        text = _LINE_MARKER.sub("", text)
    elif marker := _LINE_MARKER.match(text):  # on one line, only its start can be one
        text = text[marker.end() :]
    if "*" in text or "_" in text or "`" in text or "~" in text:
        text = _EMPHASIS.sub("", text)
    return " ".join(text.split())  # str.split() and strip() take re's \s as whitespace


def highlight(raw: str) -> SafeString:
    """Escaped `raw` with <mark> around the spans ts_headline delimited, always balanced: a
    start inside a span, or an end outside one, is dropped."""
    text = plain(raw)
    parts: list[str] = []
    at = 0
    wanted, tag = MARK_START, "<mark>"
    while (found := text.find(wanted, at)) != -1:
        parts.append(html.escape(_unmarked(text[at:found])))  # django's escape(), unwrapped
        parts.append(tag)
        wanted, tag = (MARK_END, "</mark>") if wanted == MARK_START else (MARK_START, "<mark>")
        at = found + 1
    parts.append(html.escape(_unmarked(text[at:])))
    if wanted == MARK_END:
        parts.append("</mark>")
    return mark_safe("".join(parts))  # every piece of text was escaped above


def _unmarked(text: str) -> str:
    return text.replace(MARK_START, "").replace(MARK_END, "")
