from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "kantor.ledger"
    label = "ledger"
