from django import forms
from django.contrib.postgres.forms import SimpleArrayField
from django.core.exceptions import ValidationError

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


class ArticleAdminForm(forms.ModelForm):
    takeaways = TakeawaysField(required=False, help_text="One point per line, in order.")

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
            "status",
            "publish_at",
            "last_updated_at",
            "seo_title",
            "seo_description",
            "link_vocabulary",
        ]

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


class SectionInlineFormSet(forms.BaseInlineFormSet):
    """Typed anchors must be unique within the article: a form error, never a 500.

    Anchors left empty are derived from the headings (in Section.clean); here they are made
    unique against the anchors of the other sections in the same form.
    """

    def clean(self) -> None:
        # Before super().clean(), whose uniqueness check would give a vaguer message.
        self._check_anchors()
        super().clean()

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
        widgets = {"body": forms.Textarea(attrs={"rows": 12, "class": "vLargeTextField"})}

    def clean_anchor(self) -> str | None:
        # None (not "") marks an anchor to derive, so the formset's uniqueness check skips it.
        return self.cleaned_data.get("anchor") or None
