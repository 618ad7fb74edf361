"""RATE-2: the public rate pages and their JSON, included at the site root."""

from django.urls import path, register_converter

from . import views


class PairCodeConverter:
    """``EURPLN`` in a URL (any case); views get it upper-cased."""

    regex = "[A-Za-z]{6}"

    def to_python(self, value: str) -> str:
        return value.upper()

    def to_url(self, value: str) -> str:
        return str(value).upper()


register_converter(PairCodeConverter, "paircode")

app_name = "rates"
urlpatterns = [
    path("rates", views.rates_table, name="table"),
    path("rates.json", views.rates_json, name="table_json"),
    path("rates/<paircode:pair>.json", views.pair_history_json, name="pair_json"),
    path("rates/<paircode:pair>", views.pair_history, name="pair"),
]
