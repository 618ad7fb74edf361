"""The API's URLs, included at the site root (API-1, API-4).

Everything under ``/api/v2.0.0/`` and ``/api/kantor/v1/`` answers the
envelope, unknown paths and wrong methods included (``framework.api_urls``).
"""

from django.urls import path

from .framework import api_urls
from .kantor_v1 import api as kantor_v1_api
from .v2 import api as v2_api

urlpatterns = [
    path("api/v2.0.0/", api_urls(v2_api)),
    path("api/kantor/v1/", api_urls(kantor_v1_api)),
]
