from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "apps.regions"
    verbose_name = "Regions and themes"
