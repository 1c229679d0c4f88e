"""Upload safety: an uploaded file becomes a clean image, or a clear refusal.

The order matters. The byte size is checked before anything is read; the pixel count is read
from the header (`PIL.Image.open` is lazy) before anything is decoded, so a decompression bomb
is refused without allocating its pixels. Only then is the image decoded, turned upright by
its EXIF orientation and re-encoded without metadata (GPS, camera, comments), under a
generated name: nothing of the uploaded file's name or metadata survives.
"""

import io
import uuid
import warnings
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image as PILImage
from PIL import ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
# GIF is accepted but stored as PNG: only the first frame is kept.
STORED_FORMAT = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WEBP", "GIF": "PNG"}
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
SAVE_OPTIONS = {
    "JPEG": {"quality": 90, "optimize": True},
    "PNG": {"compress_level": 6},
    "WEBP": {"quality": 90, "method": 4},
}


@dataclass(frozen=True)
class CleanImage:
    """A decoded, upright, metadata-free image ready to be stored."""

    content: ContentFile
    format: str
    width: int
    height: int


def max_bytes() -> int:
    return settings.MEDIA_IMAGE_MAX_BYTES


def max_pixels() -> int:
    return settings.MEDIA_IMAGE_MAX_PIXELS


def clean_upload(file: IO[bytes]) -> CleanImage:
    """Check an uploaded file and return its clean re-encoding; ValidationError if refused."""
    size = _size_of(file)
    if size == 0:
        raise ValidationError("The file is empty.", code="empty")
    if size > max_bytes():
        raise ValidationError(
            "The file is %(size)s MB; the limit is %(limit)s MB. Export a smaller version.",
            code="too_large",
            params={"size": _megabytes(size), "limit": _megabytes(max_bytes())},
        )
    file.seek(0)
    head = file.read(512)
    file.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            source = PILImage.open(file, formats=ACCEPTED_FORMATS)
    except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning):
        raise _too_many_pixels() from None
    except UnidentifiedImageError:
        raise _wrong_type(head) from None
    except (OSError, SyntaxError, ValueError, EOFError):
        raise _damaged() from None

    with source:
        width, height = source.size
        if width < 1 or height < 1:
            raise _damaged()
        if width * height > max_pixels():
            raise _too_many_pixels(width, height)
        source_format = source.format
        icc_profile = source.info.get("icc_profile")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", PILImage.DecompressionBombWarning)
                source.load()
                upright = ImageOps.exif_transpose(source)
        except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning):
            raise _too_many_pixels() from None
        except (OSError, SyntaxError, ValueError, EOFError):
            raise _damaged() from None

    stored_format = STORED_FORMAT[source_format]
    clean, same_mode = _normalise_mode(upright, stored_format)
    # Nothing of the upload's metadata is carried over: EXIF (GPS, camera), XMP, comments.
    clean.info = {}
    options = dict(SAVE_OPTIONS[stored_format])
    if icc_profile and same_mode:
        options["icc_profile"] = icc_profile
    buffer = io.BytesIO()
    clean.save(buffer, format=stored_format, **options)
    name = f"{uuid.uuid4().hex}.{EXTENSIONS[stored_format]}"
    return CleanImage(
        content=ContentFile(buffer.getvalue(), name=name),
        format=stored_format,
        width=clean.width,
        height=clean.height,
    )


def _normalise_mode(image: PILImage.Image, fmt: str) -> tuple[PILImage.Image, bool]:
    """A mode the target format stores faithfully; True when the mode was kept as it is.

    A colour profile is only carried over with an unchanged mode (a CMYK profile on an
    image converted to RGB would be wrong).
    """
    if fmt == "JPEG":
        if image.mode in ("RGB", "L"):
            return image.copy(), True
        return image.convert("RGB"), False
    if image.mode in ("RGB", "RGBA", "L") and "transparency" not in image.info:
        return image.copy(), True
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    return image.convert("RGBA" if has_alpha else "RGB"), False


def _size_of(file: IO[bytes]) -> int:
    size = getattr(file, "size", None)
    if size is None:
        file.seek(0, io.SEEK_END)
        size = file.tell()
        file.seek(0)
    return size


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0")


def _too_many_pixels(width: int | None = None, height: int | None = None) -> ValidationError:
    limit = f"{max_pixels() / 1_000_000:g}"
    if width and height:
        return ValidationError(
            "The image is %(width)s by %(height)s pixels (%(mp)s megapixels); the limit is "
            "%(limit)s megapixels. Export a smaller version.",
            code="too_many_pixels",
            params={
                "width": width,
                "height": height,
                "mp": f"{width * height / 1_000_000:.1f}",
                "limit": limit,
            },
        )
    return ValidationError(
        "The image has far more pixels than allowed: the limit is %(limit)s megapixels.",
        code="too_many_pixels",
        params={"limit": limit},
    )


def _wrong_type(head: bytes) -> ValidationError:
    if b"<svg" in head.lower() or head.lstrip().startswith(b"<?xml"):
        return ValidationError(
            "SVG files are refused: they can carry scripts. Export the graphic as PNG.",
            code="svg",
        )
    return ValidationError(
        "This file is not a JPEG, PNG, WebP or GIF image (whatever its name says). "
        "Only those formats are accepted.",
        code="wrong_type",
    )


def _damaged() -> ValidationError:
    return ValidationError(
        "The image could not be read: the file is damaged or incomplete.", code="damaged"
    )
