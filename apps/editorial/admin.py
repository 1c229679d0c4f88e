from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db import transaction
from django.db.models import Count
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import format_html
from taggit.models import Tag

from apps.articles.models import Article, TaggedArticle

from .models import AuditEntry, ShareLink, SlugRedirect, UpdateNote
from .workflow import content_changed, local_time


@admin.register(ShareLink)
class ShareLinkAdmin(admin.ModelAdmin):
    list_display = ["article", "created_by", "created", "expires", "state", "link"]
    list_select_related = ["article", "created_by"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["article__title"]
    fields = ["article", "created_by", "created_at", "expires_at", "revoked_at", "link"]
    readonly_fields = ["article", "created_by", "created_at", "revoked_at", "link"]
    actions = ["revoke"]

    def has_add_permission(self, request) -> bool:
        return False  # created from the article's page, with the "Share preview" button

    @admin.display(description="created", ordering="created_at")
    def created(self, obj: ShareLink) -> str:
        return local_time(obj.created_at)

    @admin.display(description="expires", ordering="expires_at")
    def expires(self, obj: ShareLink) -> str:
        return local_time(obj.expires_at)

    @admin.display(description="state")
    def state(self, obj: ShareLink) -> str:
        if obj.revoked_at:
            return "Revoked"
        return "Active" if obj.is_active else "Expired"

    @admin.display(description="link")
    def link(self, obj: ShareLink) -> str:
        if not obj.pk or not obj.is_active:
            return "—"
        return format_html('<a href="{0}">{0}</a>', obj.get_absolute_url())

    @admin.action(description="Revoke the selected links", permissions=["change"])
    def revoke(self, request, queryset) -> None:
        now = timezone.now()
        links = list(queryset.filter(revoked_at__isnull=True).select_related("article"))
        for link in links:
            link.revoked_at = now
            link.save(update_fields=["revoked_at"])
            AuditEntry.record(
                AuditEntry.Action.SHARE_REVOKED, link.article, request.user, detail=f"#{link.pk}"
            )
        self.message_user(request, f"{len(links)} preview link(s) revoked: they now show 404.")


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["when", "action", "article_title", "change", "user", "detail"]
    list_filter = ["action", ("user", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["user"]
    search_fields = ["article_title", "detail"]
    date_hierarchy = "created_at"
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="when", ordering="created_at")
    def when(self, obj: AuditEntry) -> str:
        return local_time(obj.created_at)

    @admin.display(description="status change")
    def change(self, obj: AuditEntry) -> str:
        return f"{obj.from_status} → {obj.to_status}" if obj.to_status else ""


@admin.register(UpdateNote)
class UpdateNoteAdmin(admin.ModelAdmin):
    list_display = ["note", "article", "created_at", "created_by"]
    list_select_related = ["article", "created_by"]
    search_fields = ["note", "article__title"]
    autocomplete_fields = ["article"]
    readonly_fields = ["created_by"]

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        content_changed()

    def delete_model(self, request, obj) -> None:
        super().delete_model(request, obj)
        content_changed()


@admin.register(SlugRedirect)
class SlugRedirectAdmin(admin.ModelAdmin):
    list_display = ["old_slug", "article"]
    list_select_related = ["article"]
    search_fields = ["old_slug", "article__title"]
    readonly_fields = ["old_slug", "article", "created_at"]

    def has_add_permission(self, request) -> bool:
        return False  # recorded when a published article's slug changes


# --- Tags: usage counts, unused filter, merge --------------------------------------------------


class TagUsageFilter(admin.SimpleListFilter):
    title = "usage"
    parameter_name = "usage"

    def lookups(self, request, model_admin):
        return [("unused", "Unused"), ("used", "Used")]

    def queryset(self, request, queryset):
        if self.value() == "unused":
            return queryset.filter(article_count=0)
        if self.value() == "used":
            return queryset.filter(article_count__gt=0)
        return queryset


class MergeTagsForm(forms.Form):
    target = forms.ModelChoiceField(
        queryset=Tag.objects.none(),
        label="Keep this tag",
        help_text="Articles tagged with the others get this tag instead; the others are deleted.",
    )

    def __init__(self, *args, tags=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = tags


def merge_tags(target: Tag, others) -> int:
    """Move every article's tagging from `others` to `target`; delete `others`.

    Returns how many articles were retagged. Articles that had both keep one tagging.
    """
    others = [tag for tag in others if tag.pk != target.pk]
    with transaction.atomic():
        already = set(
            TaggedArticle.objects.filter(tag=target).values_list("content_object_id", flat=True)
        )
        moving = TaggedArticle.objects.filter(tag__in=others)
        duplicate = moving.filter(content_object_id__in=already)
        duplicate.delete()
        moved = moving.update(tag=target)
        Tag.objects.filter(pk__in=[t.pk for t in others]).delete()
        Article.objects.filter(tags=target).invalidate_renders()
    content_changed()
    return moved


USES = "articles_taggedarticle_items"

admin.site.unregister(Tag)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    """Tag hygiene: rename (the change form), merge (an action), find unused (a filter)."""

    list_display = ["name", "slug", "article_count"]
    list_filter = [TagUsageFilter]
    search_fields = ["name", "slug"]
    ordering = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    actions = ["merge", "delete_selected"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_count=Count(USES))

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.base_fields["name"].help_text = (
            "Renaming to the name of another tag is refused: select both in the list and use "
            "“Merge” instead."
        )
        return form

    @admin.display(description="articles", ordering="article_count")
    def article_count(self, obj: Tag) -> int:
        return obj.article_count

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        Article.objects.filter(tags=obj).invalidate_renders()  # tag lists on stored pages
        content_changed()  # a rename shows on every page that lists the tag

    @admin.action(description="Merge the selected tags into one", permissions=["change"])
    def merge(self, request, queryset):
        tags = Tag.objects.filter(pk__in=queryset.values("pk")).order_by("name")
        if tags.count() < 2:
            self.message_user(request, "Select at least two tags to merge.", messages.WARNING)
            return None
        if "target" in request.POST:
            form = MergeTagsForm(request.POST, tags=tags)
            if form.is_valid():
                target = form.cleaned_data["target"]
                others = [t for t in tags if t.pk != target.pk]
                moved = merge_tags(target, others)
                names = ", ".join(f"“{t.name}”" for t in others)
                self.message_user(
                    request, f"Merged {names} into “{target.name}”: {moved} tagging(s) moved."
                )
                return None
        else:
            form = MergeTagsForm(tags=tags)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Merge tags",
            "tags": tags,
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/taggit/tag/merge.html", context)
