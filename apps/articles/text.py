"""Slugs and anchors that work for any script.

Django's slugify drops characters it cannot map to ASCII, so a Japanese or Korean title would
become an empty slug. anyascii transliterates first (한국 → "hangug", 日本 → "riben"), which
keeps slugs readable, ASCII-only and non-empty for any title that has letters at all.
"""

from collections.abc import Callable

from anyascii import anyascii
from django.utils.text import slugify


def make_slug(text: str, max_length: int = 80) -> str:
    slug = slugify(anyascii(text or ""))[:max_length].strip("-")
    return slug


def unique_slug(base: str, taken: Callable[[str], bool], max_length: int = 80) -> str:
    """`base`, or `base-2`, `base-3`, … — the first that `taken` says is free."""
    candidate = base[:max_length]
    n = 2
    while taken(candidate):
        suffix = f"-{n}"
        candidate = f"{base[: max_length - len(suffix)]}{suffix}"
        n += 1
    return candidate


def word_count(*texts: str) -> int:
    return sum(len(t.split()) for t in texts if t)
