from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "cluneal.web.audit"
    label = "audit"
