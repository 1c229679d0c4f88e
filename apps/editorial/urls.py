from django.urls import path

from . import views

app_name = "editorial"

urlpatterns = [
    path("preview/<int:pk>/", views.preview, name="preview"),
    path("preview/shared/<str:token>/", views.shared, name="share"),
]
