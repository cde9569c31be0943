from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "cluneal.web.registry"
    label = "registry"
