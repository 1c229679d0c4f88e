from django.urls import path

from . import feeds, views

app_name = "articles"

urlpatterns = [
    path("", views.home, name="home"),
    path("feed/", feeds.SiteFeed(), name="feed"),
    path("feed/atom/", feeds.atom(feeds.SiteFeed), name="feed_atom"),
    path("articles/<slug:slug>/", views.detail, name="detail"),
    path("authors/<slug:slug>/", views.author, name="author"),
    path("authors/<slug:slug>/feed/", feeds.AuthorFeed(), name="author_feed"),
    path("authors/<slug:slug>/feed/atom/", feeds.atom(feeds.AuthorFeed), name="author_atom"),
    path("formats/<slug:slug>/", views.format_listing, name="format"),
    path("formats/<slug:slug>/feed/", feeds.FormatFeed(), name="format_feed"),
    path("formats/<slug:slug>/feed/atom/", feeds.atom(feeds.FormatFeed), name="format_atom"),
    path("tags/<slug:slug>/", views.tag, name="tag"),
    path("tags/<slug:slug>/feed/", feeds.TagFeed(), name="tag_feed"),
    path("tags/<slug:slug>/feed/atom/", feeds.atom(feeds.TagFeed), name="tag_atom"),
]
