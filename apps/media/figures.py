"""Library images inside section Markdown: `![alt](image:42)`.

Standard Markdown image syntax with an `image:<id>` address, so editors write what they know
and ordinary Markdown tools still parse it. On a line of its own it becomes a `<figure>` with
the `<picture>`, the caption and the credit; inside a sentence, just the `<picture>`. The text
in brackets, when given, replaces the library's alt text for this placement; empty brackets
use the library's. References inside code are text, not images (they are found in the parsed
tokens, not by a pattern over the source).

The HTML made here still passes through the sanitiser in `apps/articles/markdown.py`, which
allows the tags and attributes below and, through `attribute_filter`, only rendition URLs
of this site's media storage.
"""

import re
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.template.loader import render_to_string
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

if TYPE_CHECKING:
    from .models import Image

REFERENCE = re.compile(r"image:(\d{1,18})")
ENV_KEY = "media_images"
REFERENCES_KEY = "media_references"

TAGS = {"picture", "source", "img"}
ATTRIBUTES = {
    "source": {"type", "srcset", "sizes", "width", "height"},
    "img": {"src", "srcset", "sizes", "width", "height", "alt", "loading", "decoding"},
}
_URL = r"[A-Za-z0-9_][A-Za-z0-9_./-]*"
_SAFE_VALUES = {
    "loading": {"lazy", "eager"},
    "decoding": {"async", "sync", "auto"},
    "type": {"image/webp", "image/jpeg", "image/png"},
}


def image_id(src: str | None) -> int | None:
    match = REFERENCE.fullmatch(src or "")
    return int(match.group(1)) if match else None


def references(text: str) -> list[tuple[int, str]]:
    """(image id, alt typed in the brackets) for each library image the Markdown places."""
    from apps.articles.markdown import parse

    env: dict = {}
    parse(text, env)
    return env.get(REFERENCES_KEY, [])


def figure_plugin(md: MarkdownIt) -> None:
    """Render `![alt](image:N)` as a library figure (own paragraph) or picture (inline)."""
    md.core.ruler.after("inline", "media_figures", _mark_figures)

    def render_image(self, tokens, idx, options, env):
        token = tokens[idx]
        pk = image_id(token.attrGet("src"))
        if pk is None:
            # Images from elsewhere are not shown (no hotlinking, no tracking pixels): the
            # alt text stands in for them.
            return escapeHtml(_alt_of(token))
        image = _images(env).get(pk)
        if image is None:
            return ""
        return render_picture(image, alt=_alt_of(token) or None)

    def render_figure(self, tokens, idx, options, env):
        token = tokens[idx]
        image = _images(env).get(token.meta["image_id"])
        if image is None:
            return ""
        return render_figure_html(image, alt=token.meta["alt"] or None) + "\n"

    md.add_render_rule("image", render_image)
    md.add_render_rule("media_figure", render_figure)


def render_picture(image: "Image", **options: Any) -> str:
    from .renditions import picture_for

    picture = picture_for(image, sizes=options.pop("sizes", FIGURE_SIZES), **options)
    return render_to_string("includes/picture.html", {"picture": picture}).strip()


def render_figure_html(image: "Image", **options: Any) -> str:
    from .renditions import picture_for

    picture = picture_for(image, sizes=options.pop("sizes", FIGURE_SIZES), **options)
    return render_to_string(
        "media/figure.html",
        {"picture": picture, "caption": image.caption, "credit": image.credit},
    ).strip()


FIGURE_SIZES = "(min-width: 48rem) 46rem, 100vw"


def _alt_of(token: Token) -> str:
    return "".join(child.content for child in token.children or () if child.type == "text")


def _mark_figures(state: StateCore) -> None:
    """Turn a paragraph holding only a library image into one `media_figure` block token,
    and note every referenced id for a single database lookup at render time."""
    tokens = state.tokens
    found = state.env.setdefault(REFERENCES_KEY, [])
    result = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.type == "inline":
            for child in token.children or ():
                if child.type == "image" and (pk := image_id(child.attrGet("src"))) is not None:
                    found.append((pk, _alt_of(child)))
        if (
            token.type == "paragraph_open"
            and i + 2 < len(tokens)
            and tokens[i + 2].type == "paragraph_close"
            and _only_library_image(tokens[i + 1])
        ):
            image = next(c for c in tokens[i + 1].children if c.type == "image")
            figure = Token("media_figure", "figure", 0, block=True)
            figure.meta = {"image_id": image_id(image.attrGet("src")), "alt": _alt_of(image)}
            found.append((figure.meta["image_id"], figure.meta["alt"]))
            figure.map = token.map
            result.append(figure)
            i += 3
            continue
        result.append(token)
        i += 1
    state.tokens = result


def _only_library_image(inline: Token) -> bool:
    children = [
        c for c in inline.children or () if not (c.type == "text" and not c.content.strip())
    ]
    return (
        len(children) == 1
        and children[0].type == "image"
        and image_id(children[0].attrGet("src")) is not None
    )


def _images(env: dict) -> dict[int, "Image"]:
    """The referenced images with their renditions: one lookup per rendered document."""
    if ENV_KEY not in env:
        from .models import Image

        ids = {pk for pk, _alt in env.get(REFERENCES_KEY, ())}
        env[ENV_KEY] = Image.objects.with_renditions().in_bulk(ids) if ids else {}
    return env[ENV_KEY]


def _allowed_url(url: str) -> bool:
    prefix = settings.MEDIA_URL.rstrip("/") + "/renditions/"
    if not url.startswith(prefix) or ".." in url:
        return False
    return re.fullmatch(_URL, url[len(prefix) :]) is not None


def _allowed_srcset(value: str) -> bool:
    candidates = [c.strip() for c in value.split(",")]
    for candidate in candidates:
        parts = candidate.split()
        if len(parts) != 2 or not re.fullmatch(r"\d{1,5}w", parts[1]):
            return False
        if not _allowed_url(parts[0]):
            return False
    return bool(candidates)


def attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    """nh3 hook: picture/source/img attributes only with values a library figure makes."""
    if tag not in ("source", "img"):
        return value
    if attribute == "src":
        return value if _allowed_url(value) else None
    if attribute == "srcset":
        return value if _allowed_srcset(value) else None
    if attribute in ("width", "height"):
        return value if re.fullmatch(r"\d{1,5}", value) else None
    if attribute == "sizes":
        return value if re.fullmatch(r"[0-9a-z()\s,:.-]{1,200}", value) else None
    if attribute in _SAFE_VALUES:
        return value if value in _SAFE_VALUES[attribute] else None
    return value


_IMG_WITHOUT_SRC = re.compile(r"<img(?![^>]*\ssrc=)[^>]*>")


def drop_images_without_source(html: str) -> str:
    """After sanitising: an `<img>` whose address was refused is removed, not left empty."""
    return _IMG_WITHOUT_SRC.sub("", html) if "<img" in html else html
