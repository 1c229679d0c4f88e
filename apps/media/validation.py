"""Checks the editorial workflow runs before an article is published."""

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db.models import Q

from .figures import references
from .models import Image

if TYPE_CHECKING:
    from apps.articles.models import Article


def missing_alt_text(article: "Article") -> list[Image]:
    """The images the article shows with no alt text and not marked decorative: its hero
    image, and inline images whose reference types no alt of its own. Costs one query.

    Images get alt text in the admin's form; images created by imports may lack it, and
    this check keeps them from reaching readers undescribed.
    """
    if article.pk is None:
        return []
    shown = Q(hero_articles=article) | Q(references__section__article=article, references__alt="")
    return list(Image.objects.missing_alt_text().filter(shown).distinct().order_by("pk"))


def check_image_references(text: str) -> None:
    """Refuse Markdown placing library images that do not exist (a typed id, a deleted
    image), as an error on the body. Costs a query only when the text places images."""
    wanted = {pk for pk, _alt in references(text)}
    if not wanted:
        return
    missing = sorted(wanted - set(Image.objects.filter(pk__in=wanted).values_list("pk", flat=True)))
    if missing:
        listed = ", ".join(f"image:{pk}" for pk in missing)
        raise ValidationError(
            {"body": f"No image in the library has this number: {listed}."},
            code="unknown_image",
        )


def section_alt_problems(text: str) -> list[str]:
    """Readiness check for one section's Markdown: images it places without any alt text
    (none typed in the brackets, none in the library, not decorative). Costs a query only
    when the text places images."""
    untyped = {pk for pk, alt in references(text) if not alt.strip()}
    if not untyped:
        return []
    bare = Image.objects.missing_alt_text().filter(pk__in=untyped).order_by("pk")
    return [
        f"image:{image.pk} “{image}” needs alt text or to be marked decorative" for image in bare
    ]
