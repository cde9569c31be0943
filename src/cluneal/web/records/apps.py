from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "cluneal.web.records"
    label = "records"
