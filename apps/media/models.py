"""The image library: uploaded images, their renditions and where articles place them."""

from pathlib import PurePosixPath
from typing import IO

from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from config.caching import bump_generation

from . import renditions
from .uploads import clean_upload


def image_upload_to(instance: "Image", filename: str) -> str:
    """A generated path; only the extension (set from the decoded type) is kept."""
    suffix = PurePosixPath(filename).suffix.lower()
    return f"images/{timezone.now():%Y/%m}/{PurePosixPath(filename).stem}{suffix}"


class ImageQuerySet(models.QuerySet):
    def with_renditions(self):
        """Prefetch the renditions the `{% picture %}` tag reads (one query)."""
        return self.prefetch_related("renditions")

    def missing_alt_text(self):
        return self.filter(alt_text="", decorative=False)


class ImageManager(models.Manager.from_queryset(ImageQuerySet)):
    def create_from_file(self, file: IO[bytes], **fields) -> "Image":
        """Check, clean and store an uploaded file as a library image (ValidationError if
        refused). Renditions are made in `save()`."""
        clean = clean_upload(file)
        image = self.model(**fields)
        image.set_clean_file(clean)
        image.save()
        return image


class Image(models.Model):
    """An image in the library: a photo, map or chart, with what readers need to know of it."""

    title = models.CharField(
        max_length=200, help_text="The name editors find it by in the library; not shown."
    )
    file = models.FileField(upload_to=image_upload_to, max_length=200)
    alt_text = models.CharField(
        "alt text",
        max_length=400,
        blank=True,
        help_text="What the image shows, for readers who cannot see it: the point of a chart, "
        "the place on a map. Required unless the image is decorative.",
    )
    decorative = models.BooleanField(
        default=False,
        help_text="Purely decorative: screen readers skip it (empty alt). Rarely right for "
        "maps and charts.",
    )
    caption = models.CharField(
        max_length=500, blank=True, help_text="Shown under the image in articles."
    )
    credit = models.CharField(
        "credit / source",
        max_length=300,
        blank=True,
        help_text="Who made it and from which data, e.g. “Chart: Meridian; data: SIPRI”.",
    )
    focal_x = models.PositiveSmallIntegerField(
        "focal point x (%)",
        default=50,
        validators=[MaxValueValidator(100)],
        help_text="Where the subject is, from the left edge (0) to the right edge (100). "
        "Fixed-ratio crops (social cards) keep it in frame.",
    )
    focal_y = models.PositiveSmallIntegerField(
        "focal point y (%)",
        default=50,
        validators=[MaxValueValidator(100)],
        help_text="From the top edge (0) to the bottom edge (100).",
    )
    format = models.CharField(max_length=10, editable=False)
    width = models.PositiveIntegerField(editable=False)
    height = models.PositiveIntegerField(editable=False)
    file_size = models.PositiveIntegerField("size (bytes)", editable=False)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = ImageManager()

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(focal_x__lte=100) & Q(focal_y__lte=100),
                name="image_focal_point_in_frame",
            ),
            models.CheckConstraint(
                condition=Q(width__gt=0) & Q(height__gt=0), name="image_has_dimensions"
            ),
            models.CheckConstraint(
                condition=Q(format__in=["JPEG", "PNG", "WEBP"]), name="image_known_format"
            ),
        ]
        indexes = [models.Index(fields=["-uploaded_at", "-id"], name="image_uploaded_idx")]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        adding = self._state.adding
        super().save(*args, **kwargs)
        # Derived files: every rendition this image needs, made once, then kept in storage.
        renditions.refresh(self)
        if not adding:
            # Inline figures are rendered into their sections' HTML: render those again, and
            # retire the stored pages and cards that show the image.
            sections = [r.section for r in self.references.select_related("section")]
            for section in sections:
                section.save(update_fields=["body_html"])
            article_ids = {s.article_id for s in sections}
            articles = apps.get_model("articles", "Article").objects
            articles.filter(Q(hero_image=self) | Q(pk__in=article_ids)).invalidate_renders()
            bump_generation()

    def delete(self, *args, **kwargs):
        """Delete the row (refused with ProtectedError while in use), then, once committed,
        the original and rendition files."""
        names = [self.file.name, *self.renditions.values_list("file", flat=True)]
        storage = self.file.storage
        result = super().delete(*args, **kwargs)
        transaction.on_commit(lambda: [storage.delete(name) for name in names if name])
        return result

    def clean(self) -> None:
        if not self.decorative and not self.alt_text.strip():
            raise ValidationError(
                {
                    "alt_text": "Describe the image for readers who cannot see it, "
                    "or mark it as decorative."
                },
                code="alt_text_required",
            )

    def set_clean_file(self, clean) -> None:
        """Attach a checked, cleaned upload (from `uploads.clean_upload`)."""
        self.file = clean.content
        self.format = clean.format
        self.width = clean.width
        self.height = clean.height
        self.file_size = clean.content.size

    @property
    def alt(self) -> str:
        """The alt attribute to render: empty for decorative images."""
        return "" if self.decorative else self.alt_text

    @property
    def key(self) -> str:
        """The generated stem of the stored file, which names its rendition folder."""
        return PurePosixPath(self.file.name).stem

    def usages(self) -> list[str]:
        """Where the image is used, for editors ("Hero image of …"). Costs three queries."""
        found = [f"Hero image of the article “{a}”" for a in self.hero_articles.all()]
        found += [f"Photo of the author {a}" for a in self.author_photos.all()]
        found += [str(r) for r in self.references.select_related("section__article")]
        return found


class Rendition(models.Model):
    """One derived file of an image (a width in a format, or a fixed-ratio crop).

    The unique (image, spec) constraint is what makes generation happen once: see
    `renditions.ensure`.
    """

    image = models.ForeignKey(Image, on_delete=models.CASCADE, related_name="renditions")
    spec = models.CharField(max_length=60)
    file = models.FileField(max_length=255)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["image", "width", "spec"]
        constraints = [
            models.UniqueConstraint(fields=["image", "spec"], name="rendition_unique_spec"),
        ]

    def __str__(self) -> str:
        return f"{self.image_id}/{self.spec}"

    @property
    def url(self) -> str:
        return self.file.url


class ImageReferenceManager(models.Manager):
    def record(self, section) -> None:
        """Record the library images a saved section places inline. One query when it places
        none, up to four when they change."""
        from .figures import references

        typed: dict[int, str] = {}
        for pk, alt in references(section.body):
            # Placed twice, an image counts as described only if every placement is.
            typed[pk] = alt if pk not in typed else (alt and typed[pk])
        if not typed:
            self.filter(section=section).delete()
            return
        known = set(Image.objects.filter(pk__in=typed).values_list("pk", flat=True))
        current = {r.image_id: r for r in self.filter(section=section)}
        if stale := [r.pk for pk, r in current.items() if pk not in known]:
            self.filter(pk__in=stale).delete()
        for pk, reference in current.items():
            if pk in known and reference.alt != typed[pk]:
                reference.alt = typed[pk]
                reference.save(update_fields=["alt"])
        if new := sorted(known - set(current)):
            self.bulk_create(
                [self.model(section=section, image_id=pk, alt=typed[pk][:400]) for pk in new],
                ignore_conflicts=True,
            )


class ImageReference(models.Model):
    """A section placing a library image inline (`![alt](image:42)` in its Markdown).

    Recorded when the section is saved, so that an image in use cannot be deleted
    (PROTECT) and the pre-publish check sees every image an article shows.
    """

    section = models.ForeignKey(
        "articles.Section", on_delete=models.CASCADE, related_name="image_references"
    )
    image = models.ForeignKey(Image, on_delete=models.PROTECT, related_name="references")
    alt = models.CharField(
        max_length=400, blank=True, help_text="Alt text typed in the reference, if any."
    )

    objects = ImageReferenceManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["section", "image"], name="imagereference_unique"),
        ]

    def __str__(self) -> str:
        return f"Inline in the section “{self.section.heading}” of “{self.section.article}”"
