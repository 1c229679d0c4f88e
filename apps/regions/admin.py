from django.contrib import admin

from apps.editorial.protect import InUseProtectedAdmin

from .models import Region, Theme


@admin.register(Region)
class RegionAdmin(InUseProtectedAdmin, admin.ModelAdmin):
    list_display = ["name", "slug", "iso_code", "parent", "order"]
    list_editable = ["order"]
    list_select_related = ["parent"]
    list_filter = ["parent"]
    search_fields = ["name", "slug", "iso_code"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]


@admin.register(Theme)
class ThemeAdmin(InUseProtectedAdmin, admin.ModelAdmin):
    list_display = ["name", "slug", "order"]
    list_editable = ["order"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
