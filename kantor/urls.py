"""Site map: customer panel, public rates, back office, the API."""

from importlib.util import find_spec

from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Kantor — back office"
admin.site.site_title = "Kantor back office"
admin.site.index_title = "Operations"

urlpatterns = [
    path("backoffice/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
# Each bounded context brings its own URLs.
for module in (
    "kantor.api.urls",
    "kantor.rates.urls",
    "kantor.market.urls",
    "kantor.documents.urls",
):
    if find_spec(module) is not None:
        urlpatterns.append(path("", include(module)))
urlpatterns.append(path("", include("kantor.web.urls")))
