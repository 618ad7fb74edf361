from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from tests.customers.data import rsa_public_pem


@pytest.fixture(scope="session")
def rsa_2048_pem() -> str:
    """A real RSA public key (generated once per run: key generation is slow)."""
    return rsa_public_pem(2048)


@pytest.fixture
def staff_user(db):
    return get_user_model().objects.create_user(
        username="support.anna", password="x", is_staff=True
    )
