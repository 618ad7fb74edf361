"""The back office mounted as the lead mounts it (``/backoffice/``), for admin tests."""

from django.contrib import admin
from django.urls import path

urlpatterns = [path("backoffice/", admin.site.urls)]
