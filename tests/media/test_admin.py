import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.media.models import Image
from tests.factories import ArticleFactory, ImageFactory, SectionFactory, image_bytes
from tests.media.conftest import png_header

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:media_image_add")


def upload(admin_client, content: bytes, name: str, **fields):
    data = {
        "title": "Upload",
        "alt_text": "A map of the Korean Peninsula",
        "caption": "",
        "credit": "Map: Meridian",
        "focal_x": "50",
        "focal_y": "50",
        **fields,
        "file": SimpleUploadedFile(name, content),
    }
    return admin_client.post(ADD_URL, data)


def test_editor_uploads_an_image_and_gets_its_renditions(admin_client):
    response = upload(admin_client, image_bytes("JPEG", (1200, 800)), "IMG_1234.JPG")
    assert response.status_code == 302
    image = Image.objects.get()
    assert image.file.name.endswith(".jpg") and "IMG_1234" not in image.file.name
    assert (image.width, image.height, image.format) == (1200, 800, "JPEG")
    assert image.renditions.count() == 7


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (png_header(30_000, 30_000), "bomb.png", "the limit is 40 megapixels"),
        (png_header(8_000, 6_000), "big.png", "the limit is 40 megapixels"),
        (b"\0" * (10 * 1024 * 1024 + 1), "huge.jpg", "the limit is 10 MB"),
        (b"%PDF-1.7 not an image", "photo.jpg", "not a JPEG, PNG, WebP or GIF image"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
         "chart.svg", "SVG files are refused"),
        (image_bytes("JPEG", (800, 600))[:3000], "cut.jpg", "damaged or incomplete"),
        (b"", "empty.png", "The submitted file is empty."),
    ],
    ids=["bomb", "over-40-megapixels", "over-10-mb", "disguised", "svg", "truncated", "empty"],
)  # fmt: skip
def test_each_refused_upload_is_a_form_error_not_a_server_error(
    admin_client, content, name, message
):
    response = upload(admin_client, content, name)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert message in " ".join(errors["file"])
    assert not Image.objects.exists()


def test_alt_text_is_required_unless_the_image_is_decorative(admin_client):
    response = upload(admin_client, image_bytes("PNG", (600, 300)), "a.png", alt_text="")
    assert response.status_code == 200
    assert "or mark it as decorative" in " ".join(
        response.context["adminform"].form.errors["alt_text"]
    )
    response = upload(
        admin_client, image_bytes("PNG", (600, 300)), "a.png", alt_text="", decorative="on"
    )
    assert response.status_code == 302


def test_library_lists_thumbnails_searches_and_filters_in_fixed_queries(
    admin_client, django_assert_max_num_queries
):
    ImageFactory(title="Defence spending chart", credit="Chart: Meridian; data: SIPRI")
    Image.objects.create_from_file(ImageFactory.build_file(), title="Imported", alt_text="")
    url = reverse("admin:media_image_changelist")

    response = admin_client.get(url)
    assert response.content.count(b'src="/media/renditions/') == 2

    assert b"Defence spending" in admin_client.get(url, {"q": "sipri"}).content
    assert b"Defence spending" not in admin_client.get(url, {"q": "korea"}).content
    missing = admin_client.get(url, {"alt": "missing"}).content
    assert b"Imported" in missing and b"Defence spending" not in missing
    assert admin_client.get(url, {"used": "no"}).status_code == 200

    with django_assert_max_num_queries(20) as few:
        admin_client.get(url)
    ImageFactory.create_batch(3)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = admin_client.get(url)
    assert response.content.count(b'src="/media/renditions/') == 5


def test_change_form_shows_where_the_image_is_used_and_keeps_the_file(admin_client):
    image = ImageFactory()
    ArticleFactory(title="Alliance under pressure", hero_image=image)
    response = admin_client.get(reverse("admin:media_image_change", args=[image.pk]))
    assert "Hero image of the article “Alliance under pressure”" in response.content.decode()
    assert "file" not in response.context["adminform"].form.fields


def test_deleting_an_image_in_use_is_refused_with_the_list_of_uses(admin_client):
    image = ImageFactory()
    ArticleFactory(title="Alliance under pressure", hero_image=image)
    SectionFactory(heading="Shipping lanes", body=f"![](image:{image.pk})")
    url = reverse("admin:media_image_delete", args=[image.pk])

    page = admin_client.get(url).content.decode()
    assert "protected related objects" in page
    assert "Alliance under pressure" in page
    assert "Inline in the section “Shipping lanes”" in page

    response = admin_client.post(url, {"post": "yes"})
    assert response.status_code == 200
    assert Image.objects.filter(pk=image.pk).exists()


def test_editor_picks_a_hero_image_for_an_article_by_searching_the_library(admin_client):
    from apps.articles.models import Article
    from tests.articles.test_admin import article_form

    image = ImageFactory(title="Map of the Korea Strait")
    ImageFactory(title="Chart of tariffs")
    found = admin_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "articles", "model_name": "article", "field_name": "hero_image",
         "term": "strait"},
    ).json()  # fmt: skip
    assert [r["text"] for r in found["results"]] == ["Map of the Korea Strait"]

    response = admin_client.post(
        reverse("admin:articles_article_add"), article_form(hero_image=image.pk)
    )
    assert response.status_code == 302
    assert Article.objects.get().hero_image == image


def test_author_photo_is_chosen_from_the_library(admin_client):
    from tests.factories import AuthorFactory

    author = AuthorFactory()
    response = admin_client.get(reverse("admin:articles_author_change", args=[author.pk]))
    assert "photo" in response.context["adminform"].form.fields
    found = admin_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "articles", "model_name": "author", "field_name": "photo", "term": ""},
    ).json()
    assert found["results"] == []
    ImageFactory(title="Portrait")
    found = admin_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "articles", "model_name": "author", "field_name": "photo", "term": "port"},
    ).json()
    assert [r["text"] for r in found["results"]] == ["Portrait"]


def test_bulk_delete_of_unused_images_removes_their_files(
    admin_client, media_storage, django_capture_on_commit_callbacks
):
    images = ImageFactory.create_batch(2)
    names = [n for i in images for n in [i.file.name, *i.renditions.values_list("file", flat=True)]]
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:media_image_changelist"),
            {
                "action": "delete_selected",
                "_selected_action": [i.pk for i in images],
                "post": "yes",
            },
        )
    assert response.status_code == 302
    assert not Image.objects.exists()
    assert not any(media_storage.exists(n) for n in names)
