from django.urls import path

from apps.articles import feeds

from . import views

app_name = "regions"

# Feed paths come before the intersection pattern, which would otherwise read "feed" as a
# theme slug.
urlpatterns = [
    path("regions/", views.index, name="index"),
    path("regions/<slug:region>/", views.detail, name="detail"),
    path("regions/<slug:region>/feed/", feeds.RegionFeed(), name="detail_feed"),
    path("regions/<slug:region>/feed/atom/", feeds.atom(feeds.RegionFeed), name="detail_atom"),
    path("regions/<slug:region>/<slug:theme>/", views.intersection, name="intersection"),
    path(
        "regions/<slug:region>/<slug:theme>/feed/",
        feeds.IntersectionFeed(),
        name="intersection_feed",
    ),
    path(
        "regions/<slug:region>/<slug:theme>/feed/atom/",
        feeds.atom(feeds.IntersectionFeed),
        name="intersection_atom",
    ),
    path("themes/", views.themes, name="themes"),
    path("themes/<slug:theme>/", views.theme, name="theme"),
    path("themes/<slug:theme>/feed/", feeds.ThemeFeed(), name="theme_feed"),
    path("themes/<slug:theme>/feed/atom/", feeds.atom(feeds.ThemeFeed), name="theme_atom"),
]
