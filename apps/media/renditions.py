"""Renditions: the resized and cropped files readers get, made with Pillow.

Each image gets widths of 480, 960 and 1600 pixels (never upscaled) in WebP plus a fallback
(JPEG for photos, PNG for everything else, so charts keep crisp lines), and a 1200x630 JPEG
cropped around the focal point for social cards. They are made when the image is saved; a
missing one is made on first use. Either way `ensure` makes each (image, spec) once: the row
is inserted before the file is drawn, inside a transaction, and PostgreSQL makes a concurrent
insert of the same key wait on the unique index until the first commits, then fail, so the
second caller reads the first one's rendition instead of drawing it again.
"""

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from PIL import Image as PILImage

if TYPE_CHECKING:
    from .models import Image, Rendition

WIDTHS = (480, 960, 1600)
OG_SIZE = (1200, 630)
MIME_TYPES = {"WEBP": "image/webp", "JPEG": "image/jpeg", "PNG": "image/png"}
EXTENSIONS = {"WEBP": "webp", "JPEG": "jpg", "PNG": "png"}
ENCODE_OPTIONS = {
    "WEBP": {"quality": 80, "method": 4},
    "JPEG": {"quality": 82, "optimize": True, "progressive": True},
    "PNG": {"compress_level": 6},
}


@dataclass(frozen=True)
class Spec:
    """What to make: a width (height follows the ratio) or an exact crop, in a format."""

    name: str
    width: int
    height: int | None
    format: str

    def size_for(self, image: "Image") -> tuple[int, int]:
        if self.height is not None:
            return self.width, self.height
        return self.width, max(1, round(image.height * self.width / image.width))


def fallback_format(image: "Image") -> str:
    return "JPEG" if image.format == "JPEG" else "PNG"


def width_specs(image: "Image") -> list[Spec]:
    """The responsive widths this image gets: never wider than the original."""
    widths = sorted({min(width, image.width) for width in WIDTHS})
    fallback = fallback_format(image)
    return [
        Spec(f"w{width}.{EXTENSIONS[fmt]}", width, None, fmt)
        for width in widths
        for fmt in ("WEBP", fallback)
    ]


def og_spec(image: "Image") -> Spec:
    """The social-card crop; its name carries the focal point, so moving the point makes a
    new crop (the old one is removed by `refresh`)."""
    width, height = OG_SIZE
    return Spec(f"og-{width}x{height}-{image.focal_x}-{image.focal_y}.jpg", width, height, "JPEG")


def specs_for(image: "Image") -> list[Spec]:
    return [*width_specs(image), og_spec(image)]


def focal_crop_box(
    size: tuple[int, int], ratio: float, focal: tuple[float, float]
) -> tuple[int, int, int, int]:
    """The largest box of `ratio` (width / height) inside `size`, centred on the focal point
    (fractions 0 to 1 of width and height) as far as the edges allow."""
    width, height = size
    if width / height > ratio:
        crop_w, crop_h = max(1, round(height * ratio)), height
    else:
        crop_w, crop_h = width, max(1, round(width / ratio))
    left = round(focal[0] * width - crop_w / 2)
    top = round(focal[1] * height - crop_h / 2)
    left = min(max(left, 0), width - crop_w)
    top = min(max(top, 0), height - crop_h)
    return left, top, left + crop_w, top + crop_h


def draw(image: "Image", spec: Spec) -> tuple[bytes, int, int]:
    """Decode the original and make one rendition's bytes (the expensive part)."""
    with image.file.open("rb") as stored, PILImage.open(stored) as source:
        source.load()
        picture = source
        if spec.height is not None:
            box = focal_crop_box(
                source.size, spec.width / spec.height, (image.focal_x / 100, image.focal_y / 100)
            )
            picture = source.crop(box)
        size = spec.size_for(image)
        if picture.size != size:
            picture = picture.resize(size, PILImage.Resampling.LANCZOS, reducing_gap=3.0)
        picture = _for_format(picture, spec.format)
        buffer = io.BytesIO()
        picture.save(buffer, format=spec.format, **ENCODE_OPTIONS[spec.format])
    return buffer.getvalue(), size[0], size[1]


def _for_format(picture: PILImage.Image, fmt: str) -> PILImage.Image:
    has_alpha = picture.mode in ("RGBA", "LA", "PA") or "transparency" in picture.info
    if fmt == "JPEG":
        if has_alpha:
            # Social cards and JPEG fallbacks have no transparency: flatten onto white.
            rgba = picture.convert("RGBA")
            flat = PILImage.new("RGB", rgba.size, "white")
            flat.paste(rgba, mask=rgba.getchannel("A"))
            return flat
        return picture if picture.mode in ("RGB", "L") else picture.convert("RGB")
    if picture.mode in ("RGB", "RGBA", "L"):
        return picture
    return picture.convert("RGBA" if has_alpha else "RGB")


def ensure(image: "Image", spec: Spec) -> "Rendition":
    """The rendition of `image` for `spec`, made now only if it does not exist yet."""
    from .models import Rendition

    existing = Rendition.objects.filter(image=image, spec=spec.name).first()
    if existing is not None:
        return existing
    width, height = spec.size_for(image)
    stored_name = ""
    try:
        with transaction.atomic():
            # Inserted first: a concurrent insert of the same key waits here until we commit.
            rendition = Rendition.objects.create(
                image=image, spec=spec.name, width=width, height=height
            )
            content, width, height = draw(image, spec)
            rendition.file.save(f"renditions/{image.key}/{spec.name}", ContentFile(content))
            stored_name = rendition.file.name
        return rendition
    except IntegrityError:
        return Rendition.objects.get(image=image, spec=spec.name)
    except BaseException:
        if stored_name:
            image.file.storage.delete(stored_name)
        raise


def refresh(image: "Image") -> list["Rendition"]:
    """Make the renditions the image lacks and remove those it no longer needs (a moved focal
    point makes a new crop). Costs a query, plus the work for each missing spec."""
    wanted = {spec.name: spec for spec in specs_for(image)}
    have = {r.spec: r for r in image.renditions.all()}
    stale = [r for name, r in have.items() if name not in wanted]
    if stale:
        names = [r.file.name for r in stale]
        image.renditions.filter(pk__in=[r.pk for r in stale]).delete()
        storage = image.file.storage
        transaction.on_commit(lambda: [storage.delete(name) for name in names if name])
    return [have.get(name) or ensure(image, spec) for name, spec in wanted.items()]


@dataclass(frozen=True)
class Source:
    mime_type: str
    srcset: str


@dataclass(frozen=True)
class Picture:
    """What `templates/includes/picture.html` needs to draw a `<picture>`."""

    sources: list[Source]
    src: str
    srcset: str
    width: int
    height: int
    alt: str
    sizes: str
    loading: str
    css_class: str = ""


def picture_for(
    image: "Image",
    *,
    sizes: str = "100vw",
    loading: str = "lazy",
    alt: str | None = None,
    css_class: str = "",
) -> Picture:
    """The `<picture>` data for an image, from its renditions.

    Reads `image.renditions.all()`, so prefetch them (`Image.objects.with_renditions()`, or
    `hero_image__renditions`) to keep pages at a fixed number of queries. A rendition that is
    missing (a spec added since the upload) is made here, once.
    """
    have = {r.spec: r for r in image.renditions.all()}
    by_format: dict[str, list[Rendition]] = {}
    for spec in width_specs(image):
        rendition = have.get(spec.name) or ensure(image, spec)
        by_format.setdefault(spec.format, []).append(rendition)
    fallback = by_format[fallback_format(image)]
    largest = fallback[-1]
    middle = fallback[min(1, len(fallback) - 1)]
    return Picture(
        sources=[Source(MIME_TYPES["WEBP"], _srcset(by_format["WEBP"]))],
        src=middle.url,
        srcset=_srcset(fallback),
        width=largest.width,
        height=largest.height,
        alt=image.alt if alt is None else alt,
        sizes=sizes,
        loading=loading,
        css_class=css_class,
    )


def _srcset(renditions: "list[Rendition]") -> str:
    return ", ".join(f"{r.url} {r.width}w" for r in renditions)


def og_rendition(image: "Image") -> "Rendition":
    """The 1200x630 social-card crop (from prefetched renditions when available)."""
    spec = og_spec(image)
    for rendition in image.renditions.all():
        if rendition.spec == spec.name:
            return rendition
    return ensure(image, spec)
