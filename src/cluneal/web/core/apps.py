from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "cluneal.web.core"
    label = "cluneal_core"
