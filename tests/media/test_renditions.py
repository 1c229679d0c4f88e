import threading

import pytest
from django.core.files.storage import InMemoryStorage
from django.db import IntegrityError, close_old_connections, connection, transaction
from PIL import Image as PILImage

from apps.media import renditions
from apps.media.models import Image, Rendition
from apps.media.renditions import Spec, focal_crop_box, og_spec, specs_for
from tests.factories import ImageFactory
from tests.media.conftest import encode


@pytest.fixture
def pillow_saves(monkeypatch):
    """Count every file Pillow encodes (each rendition drawn is one save)."""
    saves = []
    real_save = PILImage.Image.save

    def counting_save(self, fp, format=None, **params):
        saves.append(format)
        return real_save(self, fp, format, **params)

    monkeypatch.setattr(PILImage.Image, "save", counting_save)
    return saves


@pytest.fixture
def storage_writes(media_storage, monkeypatch):
    """Count every file written to the storage."""
    writes = []
    real_save = InMemoryStorage.save

    def counting_save(self, name, content, max_length=None):
        writes.append(name)
        return real_save(self, name, content, max_length)

    monkeypatch.setattr(InMemoryStorage, "save", counting_save)
    return writes


@pytest.mark.django_db
def test_upload_makes_every_width_in_webp_and_fallback_plus_the_social_card(media_storage):
    image = ImageFactory(size=(1600, 900))
    made = {r.spec: (r.width, r.height) for r in image.renditions.all()}
    assert made == {
        "w480.webp": (480, 270),
        "w480.png": (480, 270),
        "w960.webp": (960, 540),
        "w960.png": (960, 540),
        "w1600.webp": (1600, 900),
        "w1600.png": (1600, 900),
        "og-1200x630-50-50.jpg": (1200, 630),
    }
    for rendition in image.renditions.all():
        stored = PILImage.open(media_storage.open(rendition.file.name))
        assert stored.size == (rendition.width, rendition.height)
        assert (
            stored.format
            == {"webp": "WEBP", "png": "PNG", "jpg": "JPEG"}[rendition.spec.rsplit(".", 1)[1]]
        )


@pytest.mark.django_db
def test_photos_fall_back_to_jpeg_and_small_images_are_never_upscaled():
    image = ImageFactory(size=(700, 350), fmt="JPEG")
    assert {r.spec for r in image.renditions.all()} == {
        "w480.webp",
        "w480.jpg",
        "w700.webp",
        "w700.jpg",
        "og-1200x630-50-50.jpg",
    }


@pytest.mark.django_db
def test_existing_renditions_are_never_drawn_or_written_again(pillow_saves, storage_writes):
    image = ImageFactory()
    # The test drawing, the clean original, then one per spec.
    assert len(pillow_saves) == 2 + len(specs_for(image))
    assert len(storage_writes) == 1 + len(specs_for(image))
    pillow_saves.clear()
    storage_writes.clear()

    image = Image.objects.get(pk=image.pk)
    renditions.refresh(image)
    for spec in specs_for(image):
        renditions.ensure(image, spec)
    image.title = "Renamed"
    image.save()
    renditions.picture_for(Image.objects.with_renditions().get(pk=image.pk))

    assert pillow_saves == []
    assert storage_writes == []
    assert Rendition.objects.filter(image=image).count() == len(specs_for(image))


@pytest.mark.django_db
def test_a_missing_rendition_is_made_on_first_use_then_reused(pillow_saves):
    image = ImageFactory()
    Rendition.objects.filter(image=image, spec="w960.webp").delete()
    pillow_saves.clear()

    first = renditions.picture_for(Image.objects.with_renditions().get(pk=image.pk))
    second = renditions.picture_for(Image.objects.with_renditions().get(pk=image.pk))

    assert pillow_saves == ["WEBP"]
    assert first == second


@pytest.mark.django_db
def test_database_refuses_a_second_rendition_of_the_same_spec():
    image = ImageFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Rendition.objects.create(image=image, spec="w480.webp", width=480, height=270)


@pytest.mark.django_db
def test_losing_a_race_reads_the_winners_rendition_without_drawing(monkeypatch, pillow_saves):
    image = ImageFactory()
    winner = image.renditions.get(spec="w480.webp")
    pillow_saves.clear()
    # The first lookup misses, as if the other request inserted just after it.
    real_filter = Rendition.objects.filter
    calls = []

    def first_lookup_misses(*args, **kwargs):
        calls.append(kwargs)
        queryset = real_filter(*args, **kwargs)
        return queryset.none() if len(calls) == 1 else queryset

    monkeypatch.setattr(Rendition.objects, "filter", first_lookup_misses)
    drawn = []
    monkeypatch.setattr(renditions, "draw", lambda *args: drawn.append(args))

    assert renditions.ensure(image, Spec("w480.webp", 480, None, "WEBP")) == winner
    assert drawn == []
    assert Rendition.objects.filter(image=image, spec="w480.webp").count() == 1


def wait_for_a_lock_waiter() -> bool:
    """Poll PostgreSQL until a backend waits on a lock (the second insert on the index)."""
    waited = threading.Event()
    with connection.cursor() as cursor:
        for _ in range(600):
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return True
            waited.wait(0.05)
    return False


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_uses_draw_a_rendition_once(monkeypatch):
    image = ImageFactory(size=(800, 400))
    spec = Spec("w300.webp", 300, None, "WEBP")
    drawing, release = threading.Event(), threading.Event()
    drawn = []
    real_draw = renditions.draw

    def slow_draw(img, sp):
        drawn.append(sp.name)
        drawing.set()
        release.wait(timeout=60)
        return real_draw(img, sp)

    monkeypatch.setattr(renditions, "draw", slow_draw)
    results, errors = {}, []

    def request(name: str) -> None:
        try:
            results[name] = renditions.ensure(Image.objects.get(pk=image.pk), spec).pk
        except Exception as error:  # surfaced by the assertions below
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    first = threading.Thread(target=request, args=("first",))
    first.start()
    assert drawing.wait(timeout=60)
    second = threading.Thread(target=request, args=("second",))
    second.start()
    blocked = wait_for_a_lock_waiter()
    release.set()
    first.join(timeout=60)
    second.join(timeout=60)

    assert errors == []
    assert blocked, "the second request should wait on the unique index"
    assert drawn == ["w300.webp"]
    assert results["first"] == results["second"]
    assert Rendition.objects.filter(image=image, spec=spec.name).count() == 1


@pytest.mark.parametrize(
    ("focal", "box"),
    [
        ((0.5, 0.5), (48, 0, 1953, 1000)),  # 1905 x 1000 is the widest 1200:630 box
        ((0.3, 0.9), (0, 0, 1905, 1000)),  # held by the left edge
        ((0.95, 0.5), (95, 0, 2000, 1000)),  # held by the right edge
    ],
)
def test_focal_crop_box_centres_on_the_focal_point_within_the_edges(focal, box):
    assert focal_crop_box((2000, 1000), 1200 / 630, focal) == box


def test_focal_crop_box_of_a_wide_image_is_centred_on_the_point():
    assert focal_crop_box((3000, 1000), 1200 / 630, (0.4, 0.5)) == (248, 0, 2153, 1000)


def test_focal_crop_box_of_a_tall_image_moves_vertically():
    assert focal_crop_box((1000, 3000), 1200 / 630, (0.5, 0.0)) == (0, 0, 1000, 525)
    assert focal_crop_box((1000, 3000), 1200 / 630, (0.5, 0.1)) == (0, 38, 1000, 563)
    assert focal_crop_box((1000, 3000), 1200 / 630, (0.5, 0.6)) == (0, 1538, 1000, 2063)
    assert focal_crop_box((1000, 3000), 1200 / 630, (0.5, 1.0)) == (0, 2475, 1000, 3000)


@pytest.mark.django_db
def test_social_card_keeps_the_focal_point_in_frame(media_storage):
    # A tall poster, blue, with a red band near the bottom: the subject.
    poster = PILImage.new("RGB", (1200, 2400), (0, 0, 255))
    poster.paste((255, 0, 0), (0, 2000, 1200, 2200))
    from django.core.files.uploadedfile import SimpleUploadedFile

    image = ImageFactory(file=SimpleUploadedFile("poster.png", encode(poster, "PNG")))
    centred = PILImage.open(
        media_storage.open(image.renditions.get(spec=og_spec(image).name).file.name)
    )
    assert centred.getpixel((600, 315))[2] > 200  # the middle of the poster: blue

    image.focal_y = 88
    image.save()
    card = image.renditions.get(spec=og_spec(image).name)
    assert card.spec == "og-1200x630-50-88.jpg"
    assert not image.renditions.filter(spec="og-1200x630-50-50.jpg").exists()
    cropped = PILImage.open(media_storage.open(card.file.name))
    assert cropped.size == (1200, 630)
    red, _green, blue = cropped.getpixel((600, 315))
    assert red > 200 and blue < 60


@pytest.mark.django_db
def test_make_renditions_command_fills_gaps_only(pillow_saves):
    from django.core.management import call_command

    image = ImageFactory()
    image.renditions.filter(spec="w480.webp").delete()
    pillow_saves.clear()
    call_command("make_renditions")
    call_command("make_renditions")
    assert pillow_saves == ["WEBP"]
    assert image.renditions.filter(spec="w480.webp").exists()
