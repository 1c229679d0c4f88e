import re

import pytest
from django.core.exceptions import ValidationError

from apps.articles.markdown import render
from apps.media.models import ImageReference
from tests.factories import ImageFactory, SectionFactory

pytestmark = pytest.mark.django_db


def test_image_reference_on_its_own_line_becomes_a_figure_with_caption_and_credit():
    image = ImageFactory(
        alt_text="Map of shipping lanes through the Korea Strait",
        caption="Shipping lanes in the Korea Strait.",
        credit="Map: Meridian",
    )
    section = SectionFactory(body=f"Before.\n\n![](image:{image.pk})\n\nAfter.")
    html = section.body_html

    figure = re.search(r"<figure>.*?</figure>", html, re.S).group(0)
    assert '<source type="image/webp" srcset="/media/renditions/' in figure
    assert re.search(r'<img src="/media/renditions/[0-9a-f]{32}/w960\.png"', figure)
    assert 'width="1000" height="500"' in figure
    assert 'alt="Map of shipping lanes through the Korea Strait"' in figure
    assert 'loading="lazy"' in figure and 'decoding="async"' in figure
    assert "<figcaption>Shipping lanes in the Korea Strait. <small>Map: Meridian</small>" in figure
    assert "<p><figure>" not in html
    assert html.index("Before.") < html.index("<figure>") < html.index("After.")


def test_alt_text_typed_in_the_reference_replaces_the_librarys_for_that_placement():
    image = ImageFactory(alt_text="Bar chart of spending")
    section = SectionFactory(body=f"![Spending doubled after 2022](image:{image.pk})")
    assert 'alt="Spending doubled after 2022"' in section.body_html
    assert ImageReference.objects.get(section=section).alt == "Spending doubled after 2022"


def test_image_reference_inside_a_sentence_is_a_picture_without_figure():
    image = ImageFactory()
    html = render(f"Compare ![](image:{image.pk}) with the table.")
    assert html.startswith("<p>Compare <picture>")
    assert "<figure>" not in html


def test_image_reference_inside_code_is_left_as_text():
    image = ImageFactory()
    section = SectionFactory(body=f"Write `![](image:{image.pk})` on its own line.")
    assert "<picture>" not in section.body_html
    assert f"![](image:{image.pk})" in section.body_html
    assert not ImageReference.objects.filter(section=section).exists()


def test_several_figures_cost_one_image_lookup(django_assert_num_queries):
    images = ImageFactory.create_batch(3)
    text = "\n\n".join(f"![](image:{image.pk})" for image in images)
    with django_assert_num_queries(2):  # the images, then their renditions
        html = render(text)
    assert html.count("<figure>") == 3


def test_section_records_the_images_it_places_and_forgets_removed_ones():
    kept, dropped = ImageFactory(), ImageFactory()
    section = SectionFactory(body=f"![](image:{kept.pk})\n\n![](image:{dropped.pk})")
    assert set(section.image_references.values_list("image_id", flat=True)) == {
        kept.pk,
        dropped.pk,
    }
    section.body = f"Only one now: ![](image:{kept.pk})"
    section.save()
    assert list(section.image_references.values_list("image_id", flat=True)) == [kept.pk]


def test_unknown_image_number_is_a_form_error_on_the_body():
    section = SectionFactory.build(body="![](image:987654)")
    with pytest.raises(ValidationError) as caught:
        section.clean()
    assert caught.value.message_dict == {
        "body": ["No image in the library has this number: image:987654."]
    }
    assert render("![](image:987654)") == ""


def test_images_from_elsewhere_are_not_shown_only_their_alt_text():
    html = render("![a tracking pixel](https://tracker.example/pixel.gif)")
    assert html == "<p>a tracking pixel</p>\n"


def test_caption_and_credit_cannot_inject_markup():
    image = ImageFactory(
        caption='<script>alert(1)</script><img src=x onerror="alert(2)">',
        credit="<a href='javascript:alert(3)'>credit</a>",
    )
    html = render(f"![](image:{image.pk})").lower()
    assert "<script" not in html
    assert "<img src=x" not in html and "<a " not in html
    assert "&lt;script&gt;" in html  # shown as the text it is
    assert html.count("<img ") == 1


@pytest.mark.parametrize(
    "payload",
    [
        '<img src="https://evil.example/x.gif">',
        '<img src="/media/renditions/ab/w480.webp" onerror="alert(1)">',
        '<img src="/media/../admin/logout/">',
        '<img src="/media/images/2026/01/original.jpg">',
        '<img src="javascript:alert(1)">',
        '<img src="data:image/png;base64,AAAA">',
        '<picture><source srcset="javascript:alert(1) 1w"><img src="x"></picture>',
        '<img src="/media/renditions/ab/w480.webp" srcset="https://evil.example/a.png 480w">',
        '<img src="/media/renditions/ab/w480.webp" loading="javascript:alert(1)" '
        'style="position:fixed" class="x" id="y">',
        '<source type="text/html" srcset="/media/renditions/ab/w480.webp 480w">',
    ],
)
def test_sanitiser_lets_through_only_rendition_addresses_and_known_attribute_values(payload):
    html = render(f"Before.\n\n{payload}\n\nAfter.")
    lowered = html.lower()
    assert "evil.example" not in lowered
    assert "javascript" not in lowered
    assert "onerror" not in lowered and "style=" not in lowered
    assert "data:" not in lowered
    assert "/media/images/" not in lowered and ".." not in lowered
    assert 'class="x"' not in lowered and 'id="y"' not in lowered
    assert 'type="text/html"' not in lowered
    for src in re.findall(r'src="([^"]*)"', html):
        assert src.startswith("/media/renditions/")
    for tag in re.findall(r"<img[^>]*>", html):
        assert "src=" in tag  # an image whose address was refused is removed
    assert "Before." in html and "After." in html


def test_a_rendition_address_typed_by_hand_survives_with_safe_attributes():
    html = render(
        '<img src="/media/renditions/ab12/w480.webp" width="480" height="270" alt="A chart" '
        'loading="lazy" decoding="async">'
    )
    assert (
        '<img src="/media/renditions/ab12/w480.webp" width="480" height="270" alt="A chart" '
        'loading="lazy" decoding="async">'
    ) in html


def test_editing_an_image_renders_the_sections_that_place_it_again():
    image = ImageFactory(caption="Old caption.")
    section = SectionFactory(body=f"![](image:{image.pk})")
    image.caption = "New caption."
    image.alt_text = "A clearer description"
    image.save()
    section.refresh_from_db()
    assert "New caption." in section.body_html
    assert 'alt="A clearer description"' in section.body_html
