"""`{% picture %}`, `{% figure %}` and `{% og_image_url %}` for library images.

    {% load media %}
    {% picture article.hero_image sizes="(min-width: 40rem) 20rem, 100vw" %}
    {% figure article.hero_image loading="eager" %}
    <meta property="og:image" content="{% og_image_url article.hero_image %}">

They read `image.renditions.all()`: the view prefetches them (`hero_image__renditions`,
as `Article.objects.for_listing()` does) so that no image costs a query.
"""

from django import template
from django.conf import settings
from django.utils.safestring import SafeString, mark_safe

from apps.media.figures import render_figure_html, render_picture
from apps.media.models import Image
from apps.media.renditions import og_rendition

register = template.Library()

LOADING = {"lazy", "eager"}


@register.simple_tag
def picture(
    image: Image | None,
    sizes: str = "100vw",
    loading: str = "lazy",
    alt: str | None = None,
    css_class: str = "",
) -> SafeString:
    """A `<picture>` of the image's renditions; nothing when there is no image."""
    if image is None:
        return mark_safe("")
    return mark_safe(
        render_picture(
            image,
            sizes=sizes,
            loading=loading if loading in LOADING else "lazy",
            alt=alt,
            css_class=css_class,
        )
    )


@register.simple_tag
def figure(
    image: Image | None, sizes: str = "100vw", loading: str = "lazy", css_class: str = ""
) -> SafeString:
    """A `<figure>`: the picture with the image's caption and credit."""
    if image is None:
        return mark_safe("")
    return mark_safe(
        render_figure_html(
            image,
            sizes=sizes,
            loading=loading if loading in LOADING else "lazy",
            css_class=css_class,
        )
    )


@register.simple_tag
def og_image_url(image: Image | None) -> str:
    """The absolute URL of the image's 1200x630 social-card crop ("" without an image)."""
    if image is None:
        return ""
    url = og_rendition(image).url
    return url if url.startswith(("http://", "https://")) else settings.SITE_URL + url
