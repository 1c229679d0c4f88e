"""The editorial screens inside the article admin: revisions, diff, restore, share, calendar.

ArticleAdmin.get_urls wires them; each takes the ModelAdmin for its permissions and context.
"""

from datetime import date, datetime, time, timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from apps.articles import markdown
from apps.articles.models import Article

from . import revisions, workflow
from .models import AuditEntry, ShareLink


def _context(model_admin, request: HttpRequest, title: str, article=None, **extra) -> dict:
    return {
        **model_admin.admin_site.each_context(request),
        "opts": Article._meta,
        "app_label": "articles",
        "title": title,
        "original": article,
        "time_zone": timezone.get_current_timezone_name(),
        **extra,
    }


def _article(model_admin, request: HttpRequest, object_id: str) -> Article:
    try:
        article = Article.objects.get(pk=int(object_id))
    except (ValueError, Article.DoesNotExist):
        raise Http404("No such article") from None
    if not model_admin.has_view_or_change_permission(request, article):
        raise PermissionDenied
    return article


def change_form_context(request: HttpRequest, article: Article) -> dict:
    user = request.user
    can_edit = workflow.can_edit(user, article)
    return {
        "transitions": workflow.transitions_for(user, article) if can_edit else [],
        "preview_url": reverse("editorial:preview", args=[article.pk]),
        "can_share": user.has_perm("editorial.add_sharelink"),
        "share_links": (
            list(ShareLink.objects.active().filter(article=article))
            if user.has_perm("editorial.view_sharelink")
            else []
        ),
        "time_zone": timezone.get_current_timezone_name(),
    }


# --- Revisions --------------------------------------------------------------------------------


def revisions_view(model_admin, request: HttpRequest, object_id: str) -> HttpResponse:
    """Every stored revision: who, when, which transition; pick two to compare."""
    article = _article(model_admin, request, object_id)
    versions = list(revisions.versions_of(article.pk)[:200])
    rows = []
    for index, version in enumerate(versions):
        status = version.field_dict.get("status", "")
        older = (
            versions[index + 1].field_dict.get("status", "") if index + 1 < len(versions) else ""
        )
        rows.append(
            {
                "version": version,
                "revision": version.revision,
                "number": version.field_dict.get("version"),
                "status": workflow.status_label(status),
                "transition": (
                    f"{workflow.status_label(older)} → {workflow.status_label(status)}"
                    if older and older != status
                    else ""
                ),
            }
        )
    audit = AuditEntry.objects.filter(article=article).select_related("user")[:100]
    context = _context(
        model_admin,
        request,
        f"Revisions of “{article}”",
        article,
        rows=rows,
        audit=audit,
        can_restore=workflow.can_edit(request.user, article),
    )
    return TemplateResponse(request, "admin/articles/article/revisions.html", context)


class DiffForm(forms.Form):
    a = forms.IntegerField(min_value=1, max_value=2**62)
    b = forms.IntegerField(min_value=1, max_value=2**62)


def _version(article: Article, version_id: int) -> Version:
    version = (
        Version.objects.get_for_object_reference(Article, article.pk)
        .select_related("revision", "revision__user")
        .filter(pk=version_id)
        .first()
    )
    if version is None:
        raise Http404("No such revision of this article")
    return version


def diff_view(model_admin, request: HttpRequest, object_id: str) -> HttpResponse:
    article = _article(model_admin, request, object_id)
    form = DiffForm(request.GET)
    if not form.is_valid():
        messages.error(request, "Pick two revisions to compare.")
        return redirect("admin:articles_article_history", article.pk)
    old, new = _version(article, form.cleaned_data["a"]), _version(article, form.cleaned_data["b"])
    if (old.revision.date_created, old.pk) > (new.revision.date_created, new.pk):
        old, new = new, old
    change = revisions.diff(
        revisions.snapshot(old.revision, article.pk), revisions.snapshot(new.revision, article.pk)
    )
    context = _context(
        model_admin,
        request,
        f"Changes to “{article}”",
        article,
        diff=change,
        old=old,
        new=new,
    )
    return TemplateResponse(request, "admin/articles/article/diff.html", context)


def restore_view(model_admin, request: HttpRequest, object_id: str, version_id: int):
    """GET: what restoring would change. POST: restore, as a new revision."""
    article = _article(model_admin, request, object_id)
    if not workflow.can_edit(request.user, article):
        raise PermissionDenied
    version = _version(article, version_id)
    if request.method == "POST":
        try:
            article, notes = revisions.restore(article.pk, version.revision, request.user)
        except revisions.RestoreError as error:
            messages.error(request, str(error))
            return redirect("admin:articles_article_history", article.pk)
        when = workflow.local_time(version.revision.date_created)
        AuditEntry.record(
            AuditEntry.Action.RESTORED, article, request.user, detail=f"revision of {when}"
        )
        if article.status == Article.Status.PUBLISHED:
            workflow.content_changed()
        messages.success(
            request,
            f"“{article}” was restored to its revision of {when}; this is now a new revision.",
        )
        for note in notes:
            messages.warning(request, f"Restored without something: {note}.")
        return redirect("admin:articles_article_change", article.pk)
    change = revisions.diff(
        revisions.live_snapshot(article), revisions.snapshot(version.revision, article.pk)
    )
    context = _context(
        model_admin,
        request,
        f"Restore “{article}”?",
        article,
        diff=change,
        version=version,
    )
    return TemplateResponse(request, "admin/articles/article/restore.html", context)


# --- Share links ------------------------------------------------------------------------------


def share_view(model_admin, request: HttpRequest, object_id: str) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    article = _article(model_admin, request, object_id)
    if not request.user.has_perm("editorial.add_sharelink"):
        raise PermissionDenied
    link = ShareLink.objects.create(article=article, created_by=request.user)
    url = request.build_absolute_uri(link.get_absolute_url())
    AuditEntry.record(
        AuditEntry.Action.SHARED,
        article,
        request.user,
        detail=f"link #{link.pk}, expires {link.expires_at.isoformat()}",
    )
    messages.success(
        request,
        f"Preview link for “{article}”, valid until {workflow.local_time(link.expires_at)} "
        f"(revoke it under “Shared preview links”): {url}",
    )
    return redirect("admin:articles_article_change", article.pk)


# --- Calendar ---------------------------------------------------------------------------------


class CalendarForm(forms.Form):
    day = forms.DateField(required=False)
    span = forms.ChoiceField(choices=[("week", "Week"), ("day", "Day")], required=False)


def calendar_view(model_admin, request: HttpRequest) -> HttpResponse:
    """Scheduled and recently published articles by day, a week (or a day) at a time."""
    if not model_admin.has_view_or_change_permission(request):
        raise PermissionDenied
    form = CalendarForm(request.GET)
    today = timezone.localdate()
    if form.is_valid():
        day = form.cleaned_data["day"] or today
        span = form.cleaned_data["span"] or "week"
    else:
        day, span = today, "week"
    first = day - timedelta(days=day.weekday()) if span == "week" else day
    length = 7 if span == "week" else 1
    zone = timezone.get_current_timezone()
    start = datetime.combine(first, time.min, tzinfo=zone)
    end = datetime.combine(first + timedelta(days=length), time.min, tzinfo=zone)
    now = timezone.now()
    articles = (
        Article.objects.filter(
            status=Article.Status.PUBLISHED, publish_at__gte=start, publish_at__lt=end
        )
        .select_related("format")
        .order_by("publish_at", "pk")
    )
    days: dict[date, list] = {first + timedelta(days=n): [] for n in range(length)}
    for article in articles:
        article.is_scheduled = article.publish_at > now
        days[timezone.localdate(article.publish_at)].append(article)
    upcoming = (
        Article.objects.filter(status=Article.Status.PUBLISHED, publish_at__gt=now)
        .select_related("format")
        .order_by("publish_at", "pk")[:20]
    )
    in_review = Article.objects.filter(status=Article.Status.REVIEW).order_by("-modified_at")[:20]
    step = timedelta(days=length)
    context = _context(
        model_admin,
        request,
        "Editorial calendar",
        days=sorted(days.items()),
        span=span,
        first=first,
        last=first + timedelta(days=length - 1),
        previous=first - step,
        following=first + step,
        today=today,
        now=now,
        upcoming=upcoming,
        in_review=in_review,
    )
    return TemplateResponse(request, "admin/articles/article/calendar.html", context)


# --- Markdown preview -------------------------------------------------------------------------


class MarkdownPreviewForm(forms.Form):
    text = forms.CharField(required=False, max_length=200_000, strip=False)


def markdown_preview_view(model_admin, request: HttpRequest) -> HttpResponse:
    """The section editor's live preview: the public pages' renderer and sanitiser."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not request.user.has_perm("articles.change_article"):
        raise PermissionDenied
    form = MarkdownPreviewForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"error": "The text cannot be previewed."}, status=400)
    html = markdown.render(form.cleaned_data["text"], doc_id="preview")
    response = JsonResponse({"html": html})
    response["Cache-Control"] = "private, no-store"
    return response
