from django.apps import AppConfig


class CalculatorConfig(AppConfig):
    name = "cluneal.web.calculator"
    label = "calculator"
