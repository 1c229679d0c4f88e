from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from apps.articles.sitemaps import robots_txt, sitemap_index, sitemap_section
from config import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("search/", include("apps.search.urls")),
    path("editorial/", include("apps.editorial.urls")),
    path("sitemap.xml", sitemap_index, name="sitemap"),
    path("sitemap-<section>.xml", sitemap_section, name="sitemap-section"),
    path("robots.txt", robots_txt, name="robots"),
    path("", include("apps.regions.urls")),
    path("", include("apps.articles.urls")),
]

if settings.DEBUG:
    # Development only: in production the web server or object storage serves media files.
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler500 = "config.health.server_error"
