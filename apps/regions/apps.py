from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "apps.regions"
    verbose_name = "Regions and themes"

    def ready(self) -> None:
        from . import elsewhere

        elsewhere.connect_signals()
