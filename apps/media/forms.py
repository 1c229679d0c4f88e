from django import forms

from .models import Image
from .uploads import clean_upload, max_bytes


class ImageAdminForm(forms.ModelForm):
    """The upload form: every refusal of `clean_upload` becomes an error on the file field."""

    class Meta:
        model = Image
        fields = ["title", "file", "alt_text", "decorative", "caption", "credit"]
        widgets = {
            "file": forms.ClearableFileInput(
                attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}
            ),
            "alt_text": forms.Textarea(attrs={"rows": 2}),
            "caption": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if "file" in self.fields:
            self.fields["file"].help_text = (
                f"JPEG, PNG, WebP or GIF, up to {max_bytes() // (1024 * 1024)} MB. "
                "Stored under a generated name, upright, without its metadata (GPS, camera)."
            )

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload is None or upload is False or not hasattr(upload, "content_type"):
            # Unchanged (an existing image's stored file) or cleared: nothing new to check.
            return upload
        clean = clean_upload(upload)
        self._clean_image = clean
        return clean.content

    def _post_clean(self) -> None:
        super()._post_clean()
        if clean := getattr(self, "_clean_image", None):
            self.instance.set_clean_file(clean)
