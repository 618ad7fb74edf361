"""Fixtures for API tests: a customer with a real API key and a signing client."""

from __future__ import annotations

import pytest

from tests.api.client import ApiClient, make_api_key


@pytest.fixture(autouse=True)
def _api_settings(settings):
    settings.ROOT_URLCONF = "tests.api.urls"


@pytest.fixture
def api_key(customer):
    """(ApiKey row, raw key) with every role and a public key."""
    return make_api_key(customer)


@pytest.fixture
def client(api_key) -> ApiClient:
    return ApiClient(api_key[1])
