from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "apps.search"
    verbose_name = "Search"

    def ready(self) -> None:
        from . import vectors

        vectors.connect_signals()
