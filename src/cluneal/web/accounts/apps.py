from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "cluneal.web.accounts"
    label = "accounts"
