from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "kantor.core"
    label = "core"
