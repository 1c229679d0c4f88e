from django.contrib import admin
from django.db.models import Q
from django.utils.html import format_html, format_html_join

from .forms import ImageAdminForm
from .models import Image
from .renditions import width_specs


class AltTextFilter(admin.SimpleListFilter):
    title = "alt text"
    parameter_name = "alt"

    def lookups(self, request, model_admin):
        return [
            ("missing", "Missing"),
            ("present", "Present"),
            ("decorative", "Decorative"),
        ]

    def queryset(self, request, queryset):
        match self.value():
            case "missing":
                return queryset.missing_alt_text()
            case "present":
                return queryset.exclude(alt_text="")
            case "decorative":
                return queryset.filter(decorative=True)
        return queryset


class InUseFilter(admin.SimpleListFilter):
    title = "use"
    parameter_name = "used"

    def lookups(self, request, model_admin):
        return [("yes", "In use"), ("no", "Unused")]

    def queryset(self, request, queryset):
        in_use = (
            Q(hero_articles__isnull=False)
            | Q(author_photos__isnull=False)
            | Q(references__isnull=False)
        )
        match self.value():
            case "yes":
                return queryset.filter(pk__in=Image.objects.filter(in_use).values("pk"))
            case "no":
                return queryset.exclude(pk__in=Image.objects.filter(in_use).values("pk"))
        return queryset


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    form = ImageAdminForm
    list_display = [
        "thumbnail",
        "title",
        "alt_text_status",
        "credit",
        "dimensions",
        "format",
        "uploaded_at",
    ]
    list_display_links = ["thumbnail", "title"]
    list_filter = [AltTextFilter, InUseFilter, "format", "decorative", "uploaded_at"]
    search_fields = ["title", "alt_text", "caption", "credit"]
    search_help_text = "Searches titles, alt text, captions and credits."
    date_hierarchy = "uploaded_at"
    show_full_result_count = False
    list_per_page = 50
    readonly_fields = ["preview", "dimensions", "format", "file_size", "uploaded_at", "used_in"]
    fieldsets = [
        (None, {"fields": ["title", "file", "preview"]}),
        ("For readers", {"fields": ["alt_text", "decorative", "caption", "credit"]}),
        (
            "Cropping",
            {
                "fields": ["focal_x", "focal_y"],
                "description": "The point fixed-ratio crops (social cards) keep in frame.",
            },
        ),
        ("File", {"fields": ["dimensions", "format", "file_size", "uploaded_at", "used_in"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_renditions()

    def delete_queryset(self, request, queryset) -> None:
        # One by one, so that each image's files are removed with it (Image.delete).
        for image in queryset:
            image.delete()

    def get_readonly_fields(self, request, obj=None):
        # A stored file is never replaced: its renditions and every page showing it follow
        # from it. Upload a new image instead.
        if obj is not None:
            return ["file", *self.readonly_fields]
        return self.readonly_fields

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [
                (None, {"fields": ["title", "file"]}),
                ("For readers", {"fields": ["alt_text", "decorative", "caption", "credit"]}),
                ("Cropping", {"fields": ["focal_x", "focal_y"]}),
            ]
        return self.fieldsets

    @admin.display(description="")
    def thumbnail(self, obj: Image) -> str:
        return self._img(obj, 96)

    @admin.display(description="preview")
    def preview(self, obj: Image) -> str:
        return self._img(obj, 480)

    def _img(self, obj: Image, width: int) -> str:
        smallest = width_specs(obj)[0].name
        rendition = next((r for r in obj.renditions.all() if r.spec == smallest), None)
        if rendition is None:
            return "—"
        height = round(width * rendition.height / rendition.width)
        return format_html(
            '<img src="{}" width="{}" height="{}" alt="" loading="lazy">',
            rendition.url,
            width,
            height,
        )

    @admin.display(description="alt text")
    def alt_text_status(self, obj: Image) -> str:
        if obj.decorative:
            return "decorative"
        return obj.alt_text or "⚠ missing"

    @admin.display(description="size in pixels")
    def dimensions(self, obj: Image) -> str:
        return f"{obj.width} × {obj.height}" if obj.width else "—"  # noqa: RUF001

    @admin.display(description="used in")
    def used_in(self, obj: Image) -> str:
        usages = obj.usages() if obj.pk else []
        if not usages:
            return "Not used yet."
        return format_html(
            "<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((u,) for u in usages))
        )
