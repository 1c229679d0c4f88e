from django import forms
from django.contrib.postgres.forms import SimpleArrayField
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from taggit.forms import TagWidget

from apps.editorial import workflow
from apps.editorial.conflicts import Conflict, find_conflict
from apps.editorial.widgets import MarkdownTextarea

from .models import Article, Section
from .text import make_slug


class TakeawaysField(SimpleArrayField):
    """Key takeaways typed one per line; blank lines are dropped."""

    widget = forms.Textarea(attrs={"rows": 4})

    def __init__(self, **kwargs):
        kwargs.pop("delimiter", None)
        super().__init__(forms.CharField(max_length=400), delimiter="\n", **kwargs)

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(value)
        return value

    def to_python(self, value):
        if isinstance(value, str):
            value = "\n".join(line.strip() for line in value.splitlines() if line.strip())
        return super().to_python(value)


class TagSuggestWidget(TagWidget):
    """Taggit's comma-separated input, with suggestions from existing tags as one types."""

    template_name = "articles/widgets/tag_suggest.html"

    class Media:
        js = ["articles/tag-autocomplete.js"]

    def __init__(self, attrs=None):
        super().__init__(attrs={"autocomplete": "off", **(attrs or {})})

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        widget["list_id"] = f"{widget['attrs'].get('id', name)}-suggestions"
        widget["attrs"]["list"] = widget["list_id"]
        widget["attrs"]["data-suggest-url"] = reverse("admin:articles_article_tag_suggestions")
        return context


class ArticleAdminForm(forms.ModelForm):
    """The article form; also where workflow rules are enforced for hand-made POSTs.

    `user` is set by the admin. Status is never a plain field: a `_transition` button or a
    posted `status` is a request for a transition, checked like any other. A publish time or
    a public note posted by someone who may not publish is refused, never silently dropped.
    """

    user = None

    takeaways = TakeawaysField(required=False, help_text="One point per line, in order.")
    based_on_version = forms.IntegerField(
        required=False, widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1
    )
    update_note = forms.CharField(
        label="Public update note",
        max_length=300,
        required=False,
        help_text="Optional, shown on the article with today's date when you publish or save "
        "a published article, e.g. “Added Seoul's response”.",
    )

    class Meta:
        model = Article
        fields = [
            "title",
            "slug",
            "dek",
            "lead",
            "takeaways",
            "format",
            "regions",
            "themes",
            "tags",
            "featured",
            "hero_image",
            "publish_at",
            "last_updated_at",
            "seo_title",
            "seo_description",
            "link_vocabulary",
        ]
        widgets = {"tags": TagSuggestWidget}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.conflict: Conflict | None = None
        self.transition: workflow.Transition | None = None
        if self.instance.pk and not self.is_bound:
            self.initial["based_on_version"] = self.instance.version
        zone = timezone.get_current_timezone_name()
        offset = timezone.localtime().strftime("UTC%z")
        if "publish_at" in self.fields:
            self.fields["publish_at"].help_text = (
                f"In the site's time zone, {zone} ({offset}). Empty: “Publish” publishes now. "
                "A future time schedules the article: it goes public by itself at that time."
            )
        if not self.may_publish:
            for name in ("publish_at", "update_note", "last_updated_at"):
                if name in self.fields:
                    self.fields[name].disabled = True
                    self.fields[name].help_text = "Set by an Editor."

    @property
    def may_publish(self) -> bool:
        return self.user is None or self.user.has_perm(workflow.PUBLISH_PERMISSION)

    def clean_slug(self) -> str:
        slug = self.cleaned_data.get("slug", "")
        if not slug:
            title = self.cleaned_data.get("title") or self.data.get("title", "")
            slug = make_slug(title)
            if not slug:
                raise ValidationError(
                    "A URL slug could not be made from this title; please type one.",
                    code="no_slug",
                )
            slug = Article.unique_slug_for(title, exclude_pk=self.instance.pk)
        return slug

    def clean(self):
        cleaned = super().clean()
        self._check_version()
        self._check_refused_fields()
        self._check_transition()
        self._check_readiness(cleaned)
        return cleaned

    def _check_version(self) -> None:
        if not self.instance.pk:
            return
        based_on = self.cleaned_data.get("based_on_version")
        if based_on is None:
            raise ValidationError(
                "This form has no version stamp, so it cannot tell whether someone else saved "
                "the article meanwhile. Reload the page and make your change again.",
                code="no_version",
            )
        conflict = find_conflict(self.instance.pk, based_on)
        if conflict is None:
            return
        self.conflict = conflict
        # The next save from this form is a deliberate merge: accept it against the new version.
        data = self.data.copy()
        data[self.add_prefix("based_on_version")] = str(conflict.current_version)
        self.data = data
        raise ValidationError(conflict.message, code="conflict")

    def _posted(self, name: str):
        """A field's raw posted value, parsed, even when the field is disabled."""
        field = self.fields[name]
        raw = field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
        if raw in (None, "", [], ["", ""]):
            return None
        parser = forms.SplitDateTimeField(required=False) if name.endswith("_at") else field
        try:
            return parser.clean(raw)
        except ValidationError:
            return raw

    def _check_refused_fields(self) -> None:
        if self.may_publish:
            return
        refused = []
        for name in ("publish_at", "last_updated_at"):
            if name in self.fields and self._posted(name) not in (
                None,
                getattr(self.instance, name),
            ):
                refused.append(self.fields[name].label or name)
        if "update_note" in self.fields and self._posted("update_note"):
            refused.append("public update note")
        if refused:
            raise ValidationError(
                "Only Editors may set the %(fields)s; your changes were not saved. Submit the "
                "article for review and an Editor will schedule it.",
                code="not_editor",
                params={"fields": ", ".join(str(f).lower() for f in refused)},
            )

    def _check_transition(self) -> None:
        name = self.data.get("_transition")
        posted_status = self.data.get("status")
        current = self.instance.status
        if name:
            transition = workflow.TRANSITIONS.get(name)
            if transition is None:
                raise ValidationError("Unknown workflow step “%(name)s”.", params={"name": name})
        elif posted_status and posted_status != current:
            transition = workflow.transition_between(current, posted_status)
            if transition is None:
                for other in workflow.TRANSITIONS.values():
                    if other.target == posted_status and self.user is not None:
                        reason = workflow.refusal(self.user, self.instance, other)
                        if reason and "role" in reason:
                            raise ValidationError(reason, code="refused")
                raise ValidationError(
                    "The status cannot go from %(from)s to %(to)s.",
                    code="bad_status",
                    params={
                        "from": workflow.status_label(current),
                        "to": workflow.status_label(posted_status),
                    },
                )
        else:
            return
        if self.user is not None:
            reason = workflow.refusal(self.user, self.instance, transition)
            if reason:
                raise ValidationError(reason, code="refused")
        self.transition = transition

    @property
    def publishing(self) -> bool:
        """Whether the article will be published after this save (now or scheduled)."""
        if self.transition is not None:
            return self.transition.target == Article.Status.PUBLISHED
        return self.instance.pk is not None and self.instance.status == Article.Status.PUBLISHED

    def _check_readiness(self, cleaned) -> None:
        if not self.publishing:
            return
        problems = workflow.article_problems(
            cleaned.get("dek", ""), bool(cleaned.get("regions")) or bool(cleaned.get("themes"))
        )
        if problems:
            raise ValidationError(
                "Not ready to publish: %(problems)s.",
                code="not_ready",
                params={"problems": "; ".join(problems)},
            )


class SectionInlineFormSet(forms.BaseInlineFormSet):
    """Typed anchors must be unique within the article: a form error, never a 500.

    Anchors left empty are derived from the headings (in Section.clean); here they are made
    unique against the anchors of the other sections in the same form.
    """

    def clean(self) -> None:
        # Before super().clean(), whose uniqueness check would give a vaguer message.
        self._check_anchors()
        super().clean()
        self._check_readiness()

    def _check_readiness(self) -> None:
        """Publishing needs at least one section, each with a heading and passing the checks
        other apps register (alt text for images)."""
        if not workflow.will_be_published(self.data, self.instance):
            return
        kept = [
            form
            for form in self.forms
            if getattr(form, "cleaned_data", None) and not form.cleaned_data.get("DELETE")
        ]
        if not kept:
            raise ValidationError("Not ready to publish: add at least one section.")
        for form in kept:
            problems = workflow.section_problems(
                form.cleaned_data.get("heading", ""), form.cleaned_data.get("body", "")
            )
            if problems:
                form.add_error(None, f"Not ready to publish: {'; '.join(problems)}.")

    def _check_anchors(self) -> None:
        kept = [
            form
            for form in self.forms
            if getattr(form, "cleaned_data", None) and not form.cleaned_data.get("DELETE")
        ]
        taken: dict[str, int] = {}
        derived = []
        for number, form in enumerate(kept, start=1):
            typed = form.cleaned_data.get("anchor")
            if not typed:
                derived.append(form)
            elif typed in taken:
                form.add_error(
                    "anchor", f"Section {taken[typed]} already uses the anchor “{typed}”."
                )
            else:
                taken[typed] = number
        for form in derived:
            anchor = form.instance.anchor
            if anchor in taken:
                anchor = form.instance.derive_anchor(taken=set(taken))
                form.instance.anchor = anchor
            taken[anchor] = 0


class SectionAdminForm(forms.ModelForm):
    class Meta:
        model = Section
        fields = ["position", "heading", "anchor", "body", "regions", "themes"]
        widgets = {"body": MarkdownTextarea(attrs={"rows": 12, "class": "vLargeTextField"})}

    def clean_anchor(self) -> str | None:
        # None (not "") marks an anchor to derive, so the formset's uniqueness check skips it.
        return self.cleaned_data.get("anchor") or None


class TagSuggestionForm(forms.Form):
    q = forms.CharField(max_length=100, strip=True)
