from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "cluneal.web.screening"
    label = "screening"
