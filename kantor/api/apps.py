from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "kantor.api"
    label = "api"
