"""Shared fixtures. Tests run on SQLite, and on PostgreSQL when
KANTOR_DATABASE_URL points at one (``make test`` runs both)."""

from __future__ import annotations

import pytest
from django.db import connection
from hypothesis import HealthCheck, settings

settings.register_profile(
    "kantor",
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.load_profile("kantor")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(pytest.mark.django_db(transaction=True))


@pytest.fixture(autouse=True)
def _postgres_only(request):
    if "postgres" in request.keywords and connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set KANTOR_DATABASE_URL)")


@pytest.fixture
def customer(db):
    from tests.factories import make_customer

    return make_customer()


@pytest.fixture
def other_customer(db):
    from tests.factories import make_customer

    return make_customer(first_name="Anna", last_name="Kowalska")
