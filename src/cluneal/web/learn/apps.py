from django.apps import AppConfig


class LearnConfig(AppConfig):
    name = "cluneal.web.learn"
    label = "learn"
