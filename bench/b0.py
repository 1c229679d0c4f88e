"""B0, the benchmark's ceiling: a trivial view served through the full middleware stack
(`bench/wsgi.py` adds it to the URLs of the application the harness serves)."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache

B0_PATH = "/bench/b0"


@never_cache
def b0(request: HttpRequest) -> HttpResponse:
    """No database, no template. `never_cache` as for `/healthz`: the page cache looks it up,
    as it looks up every anonymous GET, and never stores it."""
    return HttpResponse("ok", content_type="text/plain")
