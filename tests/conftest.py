"""Shared fixtures. Tests run on SQLite, and on PostgreSQL when
KANTOR_DATABASE_URL points at one (``make test`` runs both)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "kantor",
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.load_profile("kantor")


def pytest_configure(config):
    """Tests speak plain http: production's HTTPS redirect and secure-only cookies
    are read once by the live server's middleware, so they are turned off here,
    for the whole session, rather than per test."""
    from django.conf import settings as django_settings

    django_settings.SECURE_SSL_REDIRECT = False
    django_settings.SESSION_COOKIE_SECURE = False
    django_settings.CSRF_COOKIE_SECURE = False
    django_settings.SECURE_HSTS_SECONDS = 0


def _on_postgres() -> bool:
    from django.conf import settings as django_settings

    return "postgresql" in django_settings.DATABASES["default"]["ENGINE"]


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Before pytest-django orders tests (transactional ones last): PostgreSQL-only
    tests become transactional with serialized rollback (seeded pairs, margins and
    groups survive their flush), or are skipped before any database set-up."""
    skip = pytest.mark.skip(reason="needs PostgreSQL (set KANTOR_DATABASE_URL)")
    for item in items:
        if "postgres" in item.keywords:
            if _on_postgres():
                item.add_marker(pytest.mark.django_db(transaction=True, serialized_rollback=True))
            else:
                item.add_marker(skip)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """scrypt is right for production and needlessly slow for test users."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _forget_cached_markets():
    """The order gateway's market cache lives as long as the process; a test
    that changes a pair's settings (its MKT-8 minimums) must not meet another
    test's entry."""
    from kantor.market.pairs import order_markets

    order_markets.clear()
    yield
    order_markets.clear()


@pytest.fixture
def customer(db):
    from tests.factories import make_customer

    return make_customer()


@pytest.fixture
def other_customer(db):
    from tests.factories import make_customer

    return make_customer(first_name="Anna", last_name="Kowalska")
