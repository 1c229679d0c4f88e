import json

from django import template
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# The escapes of Django's json_script: nothing in the data can close the <script> element.
_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.simple_tag
def json_ld(data: dict | list) -> SafeString:
    """A JSON-LD block, escaped like `json_script` (a data block, never executed)."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(text.translate(_JSON_ESCAPES)),
    )


@register.filter
def absolute(path: str) -> str:
    """The canonical absolute URL of a site path (SITE_URL, not the request's host)."""
    if not path:
        return settings.SITE_URL + "/"
    if path.startswith(("http://", "https://")):
        return path
    return settings.SITE_URL + path


@register.simple_tag(takes_context=True)
def canonical_url(context, page=None) -> str:
    """This page's canonical URL: SITE_URL + path, plus ?page=N past the first page."""
    url = absolute(context["request"].path)
    if page is not None and page.number > 1:
        url += f"?page={page.number}"
    return url


@register.filter
def machine(value) -> str:
    """A datetime as HTML's `datetime` attribute wants it: ISO 8601, whole seconds, offset."""
    if not value:
        return ""
    return timezone.localtime(value).replace(microsecond=0).isoformat()
