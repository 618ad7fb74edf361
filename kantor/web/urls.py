from django.contrib.auth import views as auth_views
from django.urls import path

from kantor.rates.urls import PairCodeConverter  # noqa: F401 - registers "paircode"

from . import market, views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="web/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("panel/", views.dashboard, name="dashboard"),
    path("panel/history/", views.history, name="history"),
    path("panel/market/", market.market_home, name="market_home"),
    path("panel/market/<paircode:pair>/", market.market_page, name="market"),
    path("panel/market/<paircode:pair>/order/", market.place_order, name="market_order"),
    path("panel/market/orders/<uuid:order_id>/cancel/", market.cancel_order, name="market_cancel"),
]
