from django.apps import apps
from django.db import models
from django.urls import reverse

from config.caching import PublicContent


def invalidate_all_renders() -> None:
    """Every article may name any term in its text (the cross-linker links them): a new,
    renamed or removed term retires every stored render. Vocabulary edits are rare; one
    UPDATE, and pages are rendered again as readers ask for them."""
    apps.get_model("articles", "Article").objects.invalidate_renders()


class Vocabulary(PublicContent):
    """A controlled term readers browse by: a name, a slug for its hub, a display order."""

    name = models.CharField(max_length=100)
    slug = models.SlugField(
        max_length=100, help_text="Used in URLs, e.g. /regions/south-korea/. Change with care."
    )
    description = models.TextField(
        blank=True, help_text="A short introduction shown at the top of the hub page."
    )
    order = models.PositiveSmallIntegerField(
        default=100, help_text="Lower numbers are listed first."
    )

    class Meta:
        abstract = True
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name

    # What stored article pages and cards show of a term (rendering.py): its chips, links and
    # the cross-linker's list of names to link in every article's text.
    RENDERED_FIELDS = ("name", "slug", "order", "parent_id")

    def save(self, *args, **kwargs) -> None:
        fields = [f for f in self.RENDERED_FIELDS if hasattr(self, f)]
        before = (
            None
            if self._state.adding
            else type(self).objects.filter(pk=self.pk).values_list(*fields).first()
        )
        super().save(*args, **kwargs)
        if before != tuple(getattr(self, f) for f in fields):
            invalidate_all_renders()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        invalidate_all_renders()
        return result


class Region(Vocabulary):
    iso_code = models.CharField(
        "ISO 3166 code",
        max_length=3,
        blank=True,
        help_text="Two-letter ISO 3166-1 code when the region is a country (JP, KR, US).",
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text="A wider region that contains this one, e.g. East Asia for Japan.",
    )

    class Meta(Vocabulary.Meta):
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="region_unique_slug"),
            models.UniqueConstraint(fields=["name"], name="region_unique_name"),
            models.CheckConstraint(condition=~models.Q(slug=""), name="region_slug_not_empty"),
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("pk")), name="region_not_own_parent"
            ),
        ]

    def get_absolute_url(self) -> str:
        return reverse("regions:detail", args=[self.slug])


class Theme(Vocabulary):
    class Meta(Vocabulary.Meta):
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="theme_unique_slug"),
            models.UniqueConstraint(fields=["name"], name="theme_unique_name"),
            models.CheckConstraint(condition=~models.Q(slug=""), name="theme_slug_not_empty"),
        ]

    def get_absolute_url(self) -> str:
        return reverse("regions:theme", args=[self.slug])


class SectionElsewhere(models.Model):
    """A section tagged with a term its own article does not carry (the hubs' "sections
    elsewhere"), with the article's publish time: derived rows, kept by `elsewhere.sync` on
    every path that changes terms, sections or publish times, so that a hub's list is an index
    range in publish order instead of a walk of the newest articles probing their sections.
    Ordering only: visibility is always decided on the article row."""

    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="+")
    # Indexed by the primary key, which starts with it.
    section = models.ForeignKey(
        "articles.Section", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    publish_at = models.DateTimeField(null=True)

    class Meta:
        abstract = True


class SectionRegionElsewhere(SectionElsewhere):
    pk = models.CompositePrimaryKey("section_id", "region_id")
    # Indexed by the newest-first index, which starts with it (the same for `theme`).
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+", db_index=False)

    class Meta:
        indexes = [
            models.Index(
                fields=["region", "-publish_at", "-article"],
                include=["section"],
                name="region_elsewhere_newest_idx",
            )
        ]

    def __str__(self) -> str:
        return f"section {self.section_id} on region {self.region_id}"


class SectionThemeElsewhere(SectionElsewhere):
    pk = models.CompositePrimaryKey("section_id", "theme_id")
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="+", db_index=False)

    class Meta:
        indexes = [
            models.Index(
                fields=["theme", "-publish_at", "-article"],
                include=["section"],
                name="theme_elsewhere_newest_idx",
            )
        ]

    def __str__(self) -> str:
        return f"section {self.section_id} on theme {self.theme_id}"
