from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "kantor.web"
    label = "web"
