from django.apps import AppConfig


class ResearchConfig(AppConfig):
    name = "cluneal.web.research"
    label = "research"
