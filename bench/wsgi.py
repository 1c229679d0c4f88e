"""The application the benchmark serves: the production one, plus B0's trivial view.

The issue defines the ceiling B0 as "a trivial view through the full middleware stack".
`/healthz` is not that here: `HealthCheckMiddleware` answers it second in the stack, before
host validation, sessions, CSRF, authentication and the page cache (a container's health check
must work whatever ALLOWED_HOSTS says), so it measured the WSGI server and two middlewares.
The harness adds `bench.b0.B0_PATH`, a view that does nothing, reached through every middleware
a page goes through; it is never part of the product's URLs. `/healthz` is still measured, in
its own row, for comparison with earlier runs.
"""

import os

from django.core.wsgi import get_wsgi_application
from django.urls import path

from bench.b0 import B0_PATH, b0

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()

from config.urls import urlpatterns  # noqa: E402 (the URLconf needs the settings loaded)

urlpatterns.insert(0, path(B0_PATH.lstrip("/"), b0, name="bench-b0"))
