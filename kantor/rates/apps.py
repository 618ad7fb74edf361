from django.apps import AppConfig


class RatesConfig(AppConfig):
    name = "kantor.rates"
    label = "rates"
