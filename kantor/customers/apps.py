from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "kantor.customers"
    label = "customers"
