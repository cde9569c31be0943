from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "cluneal.web.api"
    label = "api"
