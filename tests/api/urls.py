"""Test URLs: the real API plus the test-only API at /api/test/."""

from django.urls import path

from kantor.api.framework import api_urls
from kantor.api.urls import urlpatterns as api_urlpatterns

from .testing_api import api as test_api

urlpatterns = [*api_urlpatterns, path("api/test/", api_urls(test_api))]
