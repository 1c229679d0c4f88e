from django.contrib import admin
from django.db.models import Prefetch

from .forms import ArticleAdminForm, SectionAdminForm, SectionInlineFormSet
from .models import Article, Author, Byline, Format, Section


class BylineInline(admin.TabularInline):
    model = Byline
    extra = 0
    min_num = 0
    autocomplete_fields = ["author"]
    fields = ["position", "author"]
    ordering = ["position"]


class SectionInline(admin.StackedInline):
    model = Section
    form = SectionAdminForm
    formset = SectionInlineFormSet
    extra = 0
    autocomplete_fields = ["regions", "themes"]
    ordering = ["position"]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleAdminForm
    inlines = [BylineInline, SectionInline]
    list_display = [
        "title",
        "status",
        "publish_at",
        "format",
        "region_list",
        "theme_list",
        "featured",
    ]
    list_filter = ["status", "format", "featured", "regions", "themes", "authors"]
    list_select_related = ["format"]
    search_fields = ["title", "dek", "sections__body"]
    search_help_text = "Searches titles, deks and section text."
    date_hierarchy = "publish_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["format", "regions", "themes"]
    show_full_result_count = False
    list_per_page = 50
    readonly_fields = ["first_published_at", "reading_time", "created_at", "modified_at"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "dek", "lead", "takeaways"]}),
        ("Classification", {"fields": ["format", "regions", "themes", "tags", "featured"]}),
        (
            "Publishing",
            {"fields": ["status", "publish_at", "last_updated_at", "first_published_at"]},
        ),
        (
            "Search engines and links",
            {
                "classes": ["collapse"],
                "fields": ["seo_title", "seo_description", "link_vocabulary"],
            },
        ),
        (
            "Details",
            {"classes": ["collapse"], "fields": ["reading_time", "created_at", "modified_at"]},
        ),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                Prefetch("regions", to_attr="prefetched_regions"),
                Prefetch("themes", to_attr="prefetched_themes"),
            )
        )

    @admin.display(description="regions")
    def region_list(self, obj: Article) -> str:
        return ", ".join(r.name for r in obj.prefetched_regions)

    @admin.display(description="themes")
    def theme_list(self, obj: Article) -> str:
        return ", ".join(t.name for t in obj.prefetched_themes)

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        # The article was saved before its sections; derive what depends on them now.
        form.instance.refresh_derived()


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "role", "affiliation"]
    search_fields = ["name", "affiliation"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Format)
class FormatAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "order"]
    list_editable = ["order"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
