"""Extra views for ops tests, next to the real URLs."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views.decorators.cache import never_cache


def sets_cookie(request: HttpRequest) -> HttpResponse:
    response = HttpResponse("with a cookie")
    response.set_cookie("seen", "1")
    return response


@never_cache
def private(request: HttpRequest) -> HttpResponse:
    return HttpResponse("private")


def explodes(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug, not an outage")


urlpatterns = [
    path("ops-test/sets-cookie/", sets_cookie),
    path("ops-test/private/", private),
    path("ops-test/explodes/", explodes),
    path("", include("config.urls")),
]

handler500 = "config.health.server_error"
