import reversion
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, Prefetch, When
from django.db.models.functions import Lower
from django.forms import BaseModelFormSet
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.text import format_lazy
from reversion.admin import VersionAdmin
from taggit.models import Tag

from apps.editorial import admin_views, workflow
from apps.editorial.conflicts import changed_by
from apps.editorial.models import AuditEntry, UpdateNote
from apps.editorial.protect import InUseProtectedAdmin
from apps.editorial.redirects import record_slug_change
from apps.editorial.revisions import register_models
from apps.search.query import admin_search

from .forms import ArticleAdminForm, SectionAdminForm, SectionInlineFormSet, TagSuggestionForm
from .models import Article, Author, Byline, Format, Section

PUBLISH_TIME_COLUMN = format_lazy(
    "publish time ({})", lazy(timezone.get_current_timezone_name, str)()
)

# Before ArticleAdmin is built: VersionAdmin would otherwise register Article itself,
# without following its taggings.
register_models()


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
    view_on_site = False  # a draft's public URL is a 404; the change form links the preview
    autocomplete_fields = ["regions", "themes"]
    ordering = ["position"]


class VersionCheckedFormSet(BaseModelFormSet):
    """List-editable rows carry the version they were shown at; stale rows are refused."""

    user = None

    def clean(self) -> None:
        super().clean()
        problems = []
        for form in self.forms:
            article = form.instance
            if not article.pk or not form.has_changed():
                continue
            if self.user is not None and not workflow.can_edit(self.user, article):
                problems.append(f"You may not edit “{article}”.")
                continue
            posted = self.data.get(f"_version_{article.pk}")
            if posted != str(article.version):
                who, when = changed_by(article.pk)
                at = f" on {workflow.local_time(when)}" if when else ""
                problems.append(
                    f"“{article}” was changed by {who}{at} after this list was loaded; "
                    "reload the list and make your change again."
                )
        if problems:
            raise ValidationError(problems)


@admin.register(Article)
class ArticleAdmin(VersionAdmin):
    form = ArticleAdminForm
    inlines = [BylineInline, SectionInline]
    change_form_template = "admin/articles/article/change_form.html"
    change_list_template = "admin/articles/article/change_list.html"
    list_display = [
        "title",
        "workflow_state",
        "publish_time",
        "format",
        "region_list",
        "theme_list",
        "featured",
        "version_stamp",
    ]
    list_editable = ["featured"]
    list_filter = ["status", "format", "featured", "regions", "themes", "authors"]
    list_select_related = ["format"]
    search_fields = ["title", "dek", "sections__body"]
    search_help_text = "Searches titles, deks and section text."
    date_hierarchy = "publish_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["regions", "themes", "hero_image"]
    show_full_result_count = False
    list_per_page = 50
    readonly_fields = [
        "workflow_state",
        "first_published_at",
        "reading_time",
        "created_at",
        "modified_at",
    ]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "slug",
                    "dek",
                    "hero_image",
                    "lead",
                    "takeaways",
                    "based_on_version",
                ]
            },
        ),
        ("Classification", {"fields": ["format", "regions", "themes", "tags", "featured"]}),
        (
            "Publishing",
            {
                "description": "Change the status with the buttons at the bottom of the page.",
                "fields": [
                    "workflow_state",
                    "publish_at",
                    "update_note",
                    "last_updated_at",
                    "first_published_at",
                ],
            },
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
    actions = ["submit_for_review", "back_to_draft", "publish", "unpublish"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            # The search vectors are most of a row's width; the list shows none of them.
            .defer("search_head", "search_vector", "search_title")
            .prefetch_related(
                Prefetch("regions", to_attr="prefetched_regions"),
                Prefetch("themes", to_attr="prefetched_themes"),
            )
        )

    def get_search_results(self, request, queryset, search_term):
        # The search index (apps/search) rather than LIKE over every section: fast at any size.
        return admin_search(queryset, search_term), False

    # --- Columns and read-only fields ---------------------------------------------------------

    @admin.display(description="regions")
    def region_list(self, obj: Article) -> str:
        return ", ".join(r.name for r in obj.prefetched_regions)

    @admin.display(description="themes")
    def theme_list(self, obj: Article) -> str:
        return ", ".join(t.name for t in obj.prefetched_themes)

    @admin.display(description="status", ordering="status")
    def workflow_state(self, obj: Article) -> str:
        if obj.pk is None:
            return "Draft (new)"
        if obj.status == Article.Status.PUBLISHED and obj.publish_at and not obj.is_public:
            return f"Scheduled for {workflow.local_time(obj.publish_at)}"
        return obj.get_status_display()

    @admin.display(description=PUBLISH_TIME_COLUMN, ordering="publish_at")
    def publish_time(self, obj: Article) -> str:
        return workflow.local_time(obj.publish_at) if obj.publish_at else "—"

    @admin.display(description="version")
    def version_stamp(self, obj: Article) -> str:
        # Posted with bulk actions and list edits, so that stale rows can be refused.
        return format_html(
            '{}<input type="hidden" name="_version_{}" value="{}">',
            obj.version,
            obj.pk,
            obj.version,
        )

    # --- Permissions: Writers edit only their own drafts ----------------------------------------

    def has_change_permission(self, request, obj=None) -> bool:
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or workflow.can_edit(request.user, obj)

    def has_publish_permission(self, request) -> bool:
        return request.user.has_perm(workflow.PUBLISH_PERMISSION)

    def has_submit_permission(self, request) -> bool:
        return request.user.has_perm(workflow.SUBMIT_PERMISSION)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def get_changelist_formset(self, request, **kwargs):
        kwargs["formset"] = type(
            "ArticleListFormSet", (VersionCheckedFormSet,), {"user": request.user}
        )
        return super().get_changelist_formset(request, **kwargs)

    # --- Saving ----------------------------------------------------------------------------------

    def save_model(self, request, obj: Article, form, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        old_slug = form.initial.get("slug") if change else None
        super().save_model(request, obj, form, change)
        if old_slug and old_slug != obj.slug:
            record_slug_change(obj, old_slug, request.user)

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        article: Article = form.instance
        if not isinstance(form, ArticleAdminForm):  # a list-editable row
            if article.status == Article.Status.PUBLISHED:
                workflow.content_changed()
            return
        # The article was saved before its sections; derive what depends on them now.
        article.refresh_derived()
        note = form.cleaned_data.get("update_note", "")
        if form.transition is not None:
            messages.success(request, workflow.apply(article, form.transition, request.user, note))
        elif note and article.status == Article.Status.PUBLISHED:
            UpdateNote.objects.create(article=article, note=note, created_by=request.user)
            article.last_updated_at = article.modified_at
            article.save(update_fields=["last_updated_at"])
        if article.status == Article.Status.PUBLISHED:
            workflow.content_changed()
        if request.resolver_match and request.resolver_match.url_name.endswith("_recover"):
            AuditEntry.record(AuditEntry.Action.RECOVERED, article, request.user)
        # Taggings and m2m rows were written after the article's post_save: store them too.
        reversion.add_to_revision(article)

    def delete_model(self, request, obj: Article) -> None:
        self._keep_recoverable(request, [obj])
        super().delete_model(request, obj)
        workflow.content_changed()

    def delete_queryset(self, request, queryset) -> None:
        self._keep_recoverable(request, list(queryset))
        super().delete_queryset(request, queryset)
        workflow.content_changed()

    def _keep_recoverable(self, request, articles: list[Article]) -> None:
        """Store the latest state, so "Recover deleted articles" can bring it back."""
        with reversion.create_revision():
            reversion.set_user(request.user)
            reversion.set_comment("Deleted.")
            for article in articles:
                reversion.add_to_revision(article)
        for article in articles:
            AuditEntry.record(AuditEntry.Action.DELETED, article, request.user)

    # --- Bulk workflow actions -------------------------------------------------------------------

    def _bulk(self, request, queryset, name: str) -> None:
        transition = workflow.TRANSITIONS[name]
        done, refused = [], []
        # Locked one by one (a search may have made the list's query DISTINCT).
        for article in Article.objects.select_for_update().filter(pk__in=queryset.values("pk")):
            posted = request.POST.get(f"_version_{article.pk}")
            if posted is not None and posted != str(article.version):
                who, when = changed_by(article.pk)
                at = f" on {workflow.local_time(when)}" if when else ""
                refused.append(f"“{article}” was changed by {who}{at} after the list was loaded")
                continue
            reason = workflow.refusal(request.user, article, transition)
            if reason is None and transition.target == Article.Status.PUBLISHED:
                problems = workflow.readiness_problems(article)
                if problems:
                    reason = f"“{article}” is not ready: {'; '.join(problems)}"
            if reason:
                refused.append(reason.rstrip("."))
                continue
            done.append(workflow.apply(article, transition, request.user))
        for message in done:
            self.message_user(request, message, messages.SUCCESS)
        for reason in refused:
            self.message_user(request, f"Not done: {reason}.", messages.ERROR)

    @admin.action(description="Submit for review", permissions=["submit"])
    def submit_for_review(self, request, queryset) -> None:
        self._bulk(request, queryset, "submit")

    @admin.action(description="Back to draft", permissions=["submit"])
    def back_to_draft(self, request, queryset) -> None:
        self._bulk(request, queryset, "to_draft")

    @admin.action(description="Publish (or schedule, when the publish time is ahead)",
                  permissions=["publish"])  # fmt: skip
    def publish(self, request, queryset) -> None:
        self._bulk(request, queryset, "publish")

    @admin.action(description="Unpublish", permissions=["publish"])
    def unpublish(self, request, queryset) -> None:
        self._bulk(request, queryset, "unpublish")

    # --- Screens ---------------------------------------------------------------------------------

    def tag_suggestions_view(self, request):
        """Existing tags for the tag field's suggestions: names starting with `q` first."""
        form = TagSuggestionForm(request.GET)
        if not form.is_valid():
            return JsonResponse({"results": []})
        q = form.cleaned_data["q"]
        names = (
            Tag.objects.filter(name__icontains=q)
            .annotate(starts=Case(When(name__istartswith=q, then=0), default=1))
            .order_by("starts", Lower("name"))
            .values_list("name", flat=True)[:10]
        )
        return JsonResponse({"results": list(names)})

    def get_urls(self):
        view = self.admin_site.admin_view
        own = [
            path("calendar/", view(self.calendar_view), name="articles_article_calendar"),
            path(
                "tag-suggestions/",
                view(self.tag_suggestions_view),
                name="articles_article_tag_suggestions",
            ),
            path(
                "markdown-preview/",
                view(self.markdown_preview_view),
                name="articles_article_markdown_preview",
            ),
            path("<path:object_id>/share/", view(self.share_view), name="articles_article_share"),
            path(
                "<path:object_id>/revisions/diff/",
                view(self.diff_view),
                name="articles_article_diff",
            ),
            path(
                "<path:object_id>/revisions/<int:version_id>/restore/",
                view(self.restore_view),
                name="articles_article_restore",
            ),
        ]
        return own + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            "can_recover": request.user.has_perm(workflow.EDIT_ANY_PERMISSION),
            **(extra_context or {}),
        }
        if request.method == "POST":  # bulk actions and list edits: one revision
            return super().changelist_view(request, extra_context)
        # Reading the list opens no revision (and no transaction): its query count stays flat.
        context = {"has_change_permission": self.has_change_permission(request)}
        return admin.ModelAdmin.changelist_view(self, request, {**context, **extra_context})

    def change_view(self, request, object_id, form_url="", extra_context=None):
        article = self.get_object(request, unquote(object_id))
        context = {**(extra_context or {})}
        if article is not None:
            context.update(admin_views.change_form_context(request, article))
        return super().change_view(request, object_id, form_url, context)

    def history_view(self, request, object_id, extra_context=None):
        return admin_views.revisions_view(self, request, unquote(object_id))

    def recoverlist_view(self, request, extra_context=None):
        if not request.user.has_perm(workflow.EDIT_ANY_PERMISSION):
            raise PermissionDenied
        return super().recoverlist_view(request, extra_context)

    def recover_view(self, request, version_id, extra_context=None):
        # Deleted articles may be anyone's: recovering them is an Editor's job.
        if not request.user.has_perm(workflow.EDIT_ANY_PERMISSION):
            raise PermissionDenied
        return super().recover_view(request, version_id, extra_context)

    def revision_view(self, request, object_id, version_id, extra_context=None):
        # Restores go through our own view, which keeps workflow state and version numbers.
        return redirect("admin:articles_article_restore", object_id, version_id)

    def diff_view(self, request, object_id):
        return admin_views.diff_view(self, request, unquote(object_id))

    def restore_view(self, request, object_id, version_id):
        return admin_views.restore_view(self, request, unquote(object_id), version_id)

    def share_view(self, request, object_id):
        return admin_views.share_view(self, request, unquote(object_id))

    def calendar_view(self, request):
        return admin_views.calendar_view(self, request)

    def markdown_preview_view(self, request):
        return admin_views.markdown_preview_view(self, request)


@admin.register(Author)
class AuthorAdmin(InUseProtectedAdmin, admin.ModelAdmin):
    list_display = ["name", "role", "affiliation"]
    search_fields = ["name", "affiliation"]
    autocomplete_fields = ["photo"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Format)
class FormatAdmin(InUseProtectedAdmin, admin.ModelAdmin):
    list_display = ["name", "slug", "order"]
    list_editable = ["order"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
