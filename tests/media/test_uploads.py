import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage
from PIL import ImageFile

from apps.media.uploads import clean_upload
from tests.factories import image_bytes
from tests.media.conftest import encode, png_header


def refusal(content: bytes, name: str) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        clean_upload(SimpleUploadedFile(name, content))
    return caught.value


@pytest.fixture
def no_decoding(monkeypatch):
    """Fail the test if any pixel data is decoded."""

    def refuse_to_decode(self, *args, **kwargs):
        raise AssertionError("pixels were decoded before the refusal")

    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse_to_decode)


def test_decompression_bomb_above_pillows_own_limit_is_refused_from_its_header(no_decoding):
    error = refusal(png_header(30_000, 30_000), "map.png")
    assert error.code == "too_many_pixels"
    assert "40 megapixels" in error.messages[0]


def test_image_over_forty_megapixels_is_refused_before_decoding(no_decoding):
    error = refusal(png_header(8_000, 6_000), "poster.png")
    assert error.code == "too_many_pixels"
    assert "8000 by 6000 pixels (48.0 megapixels)" in error.messages[0]


def test_file_over_ten_megabytes_is_refused_before_it_is_opened(monkeypatch):
    def refuse_to_open(*args, **kwargs):
        raise AssertionError("the file was opened")

    monkeypatch.setattr(PILImage, "open", refuse_to_open)
    error = refusal(b"\0" * (10 * 1024 * 1024 + 1), "huge.jpg")
    assert error.code == "too_large"
    assert "the limit is 10 MB" in error.messages[0]


def test_file_of_exactly_ten_megabytes_is_not_refused_for_its_size():
    content = image_bytes("PNG", (64, 64))
    padded = content + b"\0" * (10 * 1024 * 1024 - len(content))
    assert clean_upload(SimpleUploadedFile("padded.png", padded)).width == 64


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF", "photo.jpg"),
        (b"MZ\x90\x00\x03\x00\x00\x00" + b"\0" * 200, "chart.png"),
        (encode(PILImage.new("RGB", (32, 32)), "BMP"), "map.png"),
        (encode(PILImage.new("RGB", (32, 32)), "TIFF"), "scan.jpg"),
        (b"just some text, not an image at all", "notes.webp"),
    ],
    ids=["pdf-named-jpg", "executable-named-png", "bmp-named-png", "tiff-named-jpg", "text"],
)
def test_file_whose_content_is_not_an_accepted_image_is_refused_whatever_its_name(content, name):
    error = refusal(content, name)
    assert error.code == "wrong_type"
    assert "not a JPEG, PNG, WebP or GIF image" in error.messages[0]


def test_svg_with_a_script_is_refused_with_the_reason():
    svg = (
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
        b"<script>alert(document.cookie)</script><rect width='10' height='10'/></svg>"
    )
    for name in ("chart.svg", "chart.png"):
        error = refusal(svg, name)
        assert error.code == "svg"
        assert "can carry scripts" in error.messages[0]


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_truncated_file_is_refused_as_damaged(fmt):
    noisy = PILImage.effect_noise((400, 300), 60).convert("RGB")
    content = encode(noisy, fmt)
    error = refusal(content[: len(content) // 2], f"cut.{fmt.lower()}")
    assert error.code == "damaged"
    assert "damaged or incomplete" in error.messages[0]


def test_empty_file_is_refused():
    assert refusal(b"", "empty.png").code == "empty"


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "GIF"])
def test_each_accepted_format_is_stored_as_a_clean_image(fmt):
    clean = clean_upload(SimpleUploadedFile("x", image_bytes(fmt, (120, 80))))
    assert (clean.width, clean.height) == (120, 80)
    assert clean.format == {"GIF": "PNG"}.get(fmt, fmt)


def test_exif_orientation_is_applied_and_gps_and_camera_metadata_are_stripped():
    # Stored sideways: red on the left, blue on the right; orientation 6 says "turn it
    # clockwise to show it", which puts the red half on top.
    sideways = PILImage.new("RGB", (80, 40), (0, 0, 255))
    sideways.paste((255, 0, 0), (0, 0, 40, 40))
    exif = PILImage.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "Camera maker"
    exif[0x8825] = {1: "N", 2: (35.0, 40.0, 12.0), 3: "E", 4: (139.0, 45.0, 0.0)}
    content = encode(sideways, "JPEG", exif=exif.tobytes(), comment=b"secret note")
    assert 0x8825 in PILImage.open(SimpleUploadedFile("x.jpg", content)).getexif()

    clean = clean_upload(SimpleUploadedFile("IMG_0042.jpg", content))

    stored = PILImage.open(clean.content)
    assert (clean.width, clean.height) == stored.size == (40, 80)
    red, _green, blue = stored.convert("RGB").getpixel((20, 10))
    assert red > 200 and blue < 60
    red, _green, blue = stored.convert("RGB").getpixel((20, 70))
    assert blue > 200 and red < 60
    assert dict(stored.getexif()) == {}
    assert "exif" not in stored.info and "comment" not in stored.info
    assert b"Camera maker" not in clean.content.read()


def test_stored_name_is_generated_with_the_extension_of_the_real_type():
    png_named_jpg = SimpleUploadedFile("../../etc/passwd my photo.JPG", image_bytes("PNG"))
    clean = clean_upload(png_named_jpg)
    assert re.fullmatch(r"[0-9a-f]{32}\.png", clean.content.name)
    other = clean_upload(SimpleUploadedFile("same.png", image_bytes("PNG")))
    assert other.content.name != clean.content.name


@pytest.mark.django_db
def test_library_image_is_stored_under_a_generated_path(media_storage):
    from tests.factories import ImageFactory

    image = ImageFactory(file=SimpleUploadedFile("Secret Plans (final).jpg", image_bytes("JPEG")))
    assert re.fullmatch(r"images/\d{4}/\d{2}/[0-9a-f]{32}\.jpg", image.file.name)
    assert media_storage.exists(image.file.name)
    assert (image.width, image.height, image.format) == (1600, 900, "JPEG")
    assert image.file_size == media_storage.size(image.file.name)
