from django.apps import AppConfig


class CdsConfig(AppConfig):
    name = "cluneal.web.cds"
    label = "cds"
