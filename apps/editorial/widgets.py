from contextlib import suppress

from django import forms
from django.urls import NoReverseMatch, reverse


class MarkdownTextarea(forms.Textarea):
    """A textarea with a Markdown toolbar and a live preview rendered by the server.

    The preview uses the same renderer and sanitiser as the public pages
    (apps.articles.markdown.render), so the editor sees what readers will get.
    """

    class Media:
        css = {"all": ["editorial/markdown-editor.css"]}
        js = ["editorial/markdown-editor.js"]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        widget_attrs["data-markdown-editor"] = ""
        with suppress(NoReverseMatch):
            widget_attrs["data-preview-url"] = reverse("admin:articles_article_markdown_preview")
        return context
