import pytest
from django.template import Context, Template
from lxml import html as lxml_html

from apps.media.models import Image
from tests.factories import ArticleFactory, ImageFactory

pytestmark = pytest.mark.django_db


def render(source: str, **context) -> str:
    return Template("{% load media %}" + source).render(Context(context))


def test_picture_tag_serves_webp_and_fallback_srcsets_with_intrinsic_size():
    image = ImageFactory(size=(1600, 900), alt_text="Map of the Korea Strait")
    out = render('{% picture image sizes="(min-width: 40rem) 20rem, 100vw" %}', image=image)

    picture = lxml_html.fragment_fromstring(out)
    assert picture.tag == "picture"
    assert out.index("<source") < out.index("<img")  # browsers take the first match
    (source,) = picture.iter("source")
    (img,) = picture.iter("img")
    assert source.tag == "source" and source.get("type") == "image/webp"
    assert [c.split()[1] for c in source.get("srcset").split(", ")] == ["480w", "960w", "1600w"]
    assert all(c.split()[0].endswith(".webp") for c in source.get("srcset").split(", "))
    assert source.get("sizes") == img.get("sizes") == "(min-width: 40rem) 20rem, 100vw"
    assert img.tag == "img"
    assert [c.split()[1] for c in img.get("srcset").split(", ")] == ["480w", "960w", "1600w"]
    assert all(c.split()[0].endswith(".png") for c in img.get("srcset").split(", "))
    assert img.get("src").endswith("/w960.png")
    assert (img.get("width"), img.get("height")) == ("1600", "900")
    assert img.get("alt") == "Map of the Korea Strait"
    assert img.get("loading") == "lazy"
    assert img.get("decoding") == "async"
    assert all(url.startswith("/media/renditions/") for url in (img.get("src"),))


def test_decorative_image_has_an_empty_alt_attribute():
    image = ImageFactory(alt_text="", decorative=True)
    out = render("{% picture image %}", image=image)
    assert 'alt=""' in out


def test_eager_loading_is_allowed_for_a_hero_and_unknown_values_fall_back_to_lazy():
    image = ImageFactory()
    assert 'loading="eager"' in render('{% picture image loading="eager" %}', image=image)
    assert 'loading="lazy"' in render('{% picture image loading="soon" %}', image=image)


def test_picture_of_no_image_renders_nothing():
    assert render("{% picture None %}{% figure None %}{% og_image_url None %}") == ""


def test_figure_tag_shows_caption_and_credit_escaped():
    image = ImageFactory(caption="Trade <b>routes</b>", credit="Map: Meridian")
    out = render("{% figure image %}", image=image)
    figure = lxml_html.fragment_fromstring(out)
    assert figure.tag == "figure"
    assert figure.find("picture") is not None
    assert figure.findtext("figcaption").strip() == "Trade <b>routes</b>"
    assert figure.find("figcaption/small").text == "Map: Meridian"


def test_og_image_url_is_an_absolute_url_of_the_1200_by_630_crop(settings):
    settings.SITE_URL = "https://meridian.example"
    image = ImageFactory()
    url = render("{% og_image_url image %}", image=image)
    assert url.startswith("https://meridian.example/media/renditions/")
    assert url.endswith("/og-1200x630-50-50.jpg")


def test_pictures_of_prefetched_images_cost_no_query(django_assert_num_queries):
    ImageFactory.create_batch(3)
    images = list(Image.objects.with_renditions())
    with django_assert_num_queries(0):
        out = render("{% for i in images %}{% picture i %}{% endfor %}", images=images)
    assert out.count("<picture>") == 3


def test_article_listing_prefetches_hero_images_in_a_fixed_number_of_queries(
    django_assert_num_queries,
):
    from apps.articles.models import Article

    for _ in range(2):
        ArticleFactory(hero_image=ImageFactory())
    ArticleFactory()

    def cards() -> str:
        articles = list(Article.objects.published().for_listing())
        return render(
            "{% for a in articles %}{% picture a.hero_image %}{% endfor %}", articles=articles
        )

    with django_assert_num_queries(5) as few:
        assert cards().count("<picture>") == 2
    for _ in range(3):
        ArticleFactory(hero_image=ImageFactory())
    with django_assert_num_queries(len(few.captured_queries)):
        assert cards().count("<picture>") == 5
