"""MKT-12: the public market data, included at the site root."""

from django.urls import path

from kantor.rates.urls import PairCodeConverter  # noqa: F401 - registers "paircode"

from . import views

app_name = "market"
urlpatterns = [
    path("market/<paircode:pair>/book.json", views.book_json, name="book_json"),
    path("market/<paircode:pair>/trades.json", views.trades_json, name="trades_json"),
]
