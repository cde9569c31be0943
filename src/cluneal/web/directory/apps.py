from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "cluneal.web.directory"
    label = "directory"
