from functools import cache

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse


@cache
def nav_urls() -> dict[str, str]:
    """The header's and footer's links, reversed once per process rather than on every page."""
    return {
        "home": reverse("articles:home"),
        "regions": reverse("regions:index"),
        "themes": reverse("regions:themes"),
        "feed": reverse("articles:feed"),
        "feed_atom": reverse("articles:feed_atom"),
    }


def site(request: HttpRequest) -> dict:
    return {"SITE_NAME": settings.SITE_NAME, "SITE_URL": settings.SITE_URL, "NAV": nav_urls()}
