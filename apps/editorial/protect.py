"""Vocabulary terms, formats and authors in use cannot be deleted: the admin lists the uses.

Articles hold regions and themes through many-to-many rows that Django would delete silently;
bylines and formats are PROTECT foreign keys whose default message names bylines, not
articles. Either way the editor sees the articles that still use the term.
"""

from django.contrib.admin.utils import quote
from django.db.models import Model
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.text import capfirst

from apps.articles.models import Article, Section

USES_SHOWN = 25


def uses_of(obj: Model) -> list[Model]:
    """Articles (and sections) that refer to `obj`, at most USES_SHOWN + 1 of them."""
    from apps.articles.models import Author, Format
    from apps.regions.models import Region, Theme

    limit = USES_SHOWN + 1
    if isinstance(obj, Author):
        return list(Article.objects.filter(bylines__author=obj).order_by("title")[:limit])
    if isinstance(obj, Format):
        return list(Article.objects.filter(format=obj).order_by("title")[:limit])
    if isinstance(obj, Region | Theme):
        field = "regions" if isinstance(obj, Region) else "themes"
        articles = list(Article.objects.filter(**{field: obj}).order_by("title")[:limit])
        sections = list(
            Section.objects.filter(**{field: obj})
            .select_related("article")
            .order_by("article__title", "position")[: limit - len(articles)]
        )
        uses: list[Model] = [*articles, *sections]
        if isinstance(obj, Region):
            uses.extend(obj.children.all()[: limit - len(uses)])
        return uses
    return []


def describe(obj: Model) -> str:
    label = capfirst(obj._meta.verbose_name)
    if isinstance(obj, Section):
        text = f"{obj.heading} (in “{obj.article}”)"
        target = obj.article
    else:
        text, target = str(obj), obj
    try:
        url = reverse(
            f"admin:{target._meta.app_label}_{target._meta.model_name}_change",
            args=[quote(target.pk)],
        )
    except NoReverseMatch:
        return f"{label}: {text}"
    return format_html('{}: <a href="{}">{}</a>', label, url, text)


class InUseProtectedAdmin:
    """Mixin for a ModelAdmin: deleting an object in use is refused, listing the uses.

    Django's delete view and the bulk "delete selected" action both refuse to delete while
    `get_deleted_objects` returns protected objects, on GET and on POST.
    """

    def get_deleted_objects(self, objs, request):
        to_delete, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        uses = []
        for obj in objs:
            found = uses_of(obj)
            uses.extend(describe(use) for use in found[:USES_SHOWN])
            if len(found) > USES_SHOWN:
                uses.append(f"… and more uses of “{obj}”")
        if uses:
            # Our list replaces Django's (bylines, through rows): it names the articles.
            protected = uses
        return to_delete, model_count, perms_needed, protected
