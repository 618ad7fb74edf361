"""API keys with the customer's RSA public key and roles (API-2), audited (SEC-9)."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization

from kantor.api import keys
from kantor.core.models import AuditLog
from kantor.customers.actions import create_api_key, revoke_api_key, set_customer_status
from kantor.customers.errors import CustomerError, ErrorCode, InvalidData
from kantor.customers.models import ApiKey
from tests.customers.data import ec_public_pem, rsa_private_pem, rsa_public_pem

pytestmark = pytest.mark.django_db


def test_a_key_is_shown_once_and_stored_hashed_and_encrypted_API_2(customer, rsa_2048_pem):
    api_key, key = create_api_key(
        customer, public_key_pem=rsa_2048_pem, roles="market_fx,reader", name=" bot "
    )

    api_key.refresh_from_db()
    assert (api_key.name, api_key.roles, api_key.is_active) == (
        "bot",
        ["reader", "market_fx"],
        True,
    )
    assert api_key.key_hash == keys.hash_key(key) and key not in api_key.key_hash
    assert keys.decrypt_key(api_key.key_encrypted) == key
    assert key.startswith(api_key.prefix)
    assert keys.load_public_key(api_key.public_key_pem).key_size == 2048
    row = AuditLog.objects.get(action="api_key.created")
    assert key not in str(row.details) and row.details["roles"] == ["reader", "market_fx"]


def test_a_pkcs1_rsa_public_key_is_accepted_and_stored_as_spki_API_2(customer):
    public = serialization.load_pem_public_key(rsa_public_pem(3072).encode())
    pkcs1 = public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.PKCS1
    ).decode()
    api_key, _key = create_api_key(customer, public_key_pem=pkcs1, roles=["reader"])
    assert api_key.public_key_pem.startswith("-----BEGIN PUBLIC KEY-----")


@pytest.mark.parametrize(
    ("pem", "code"),
    [
        (lambda: rsa_public_pem(1024), ErrorCode.PUBLIC_KEY_TOO_SHORT),
        (ec_public_pem, ErrorCode.INVALID_PUBLIC_KEY),
        (lambda: rsa_private_pem(2048), ErrorCode.INVALID_PUBLIC_KEY),
        (
            lambda: "-----BEGIN PUBLIC KEY-----\nnot base64\n-----END PUBLIC KEY-----",
            ErrorCode.INVALID_PUBLIC_KEY,
        ),
        (lambda: "", ErrorCode.REQUIRED),
    ],
    ids=["rsa-1024", "ec", "private key", "garbage", "empty"],
)
def test_unusable_public_keys_are_refused_API_2(customer, pem, code):
    with pytest.raises(InvalidData) as info:
        create_api_key(customer, public_key_pem=pem(), roles="reader")
    assert info.value.codes == {code}
    assert set(info.value.by_field) == {"public_key_pem"}
    assert not ApiKey.objects.exists()


def test_the_short_key_message_says_what_is_accepted_API_2(customer):
    with pytest.raises(InvalidData) as info:
        create_api_key(customer, public_key_pem=rsa_public_pem(1024), roles="reader")
    assert "1024" in str(info.value) and "2048" in str(info.value) and "4096" in str(info.value)


def test_unknown_roles_are_refused_API_2(customer, rsa_2048_pem):
    with pytest.raises(InvalidData) as info:
        create_api_key(customer, public_key_pem=rsa_2048_pem, roles="reader,withdraw_all")
    assert info.value.codes == {ErrorCode.INVALID_ROLES}


def test_a_terminated_customer_gets_no_key(customer, rsa_2048_pem, staff_user):
    set_customer_status(customer, "terminated", acting_user=staff_user, reason="TERM-1")
    with pytest.raises(CustomerError) as info:
        create_api_key(customer, public_key_pem=rsa_2048_pem, roles="reader")
    assert info.value.code == ErrorCode.CUSTOMER_INACTIVE


def test_revoking_stops_the_key_once_API_2(customer, rsa_2048_pem, staff_user):
    api_key, _key = create_api_key(customer, public_key_pem=rsa_2048_pem, roles="reader")
    api_key = revoke_api_key(api_key, acting_user=staff_user, reason="leaked")
    assert not api_key.is_active
    with pytest.raises(CustomerError) as info:
        revoke_api_key(api_key, acting_user=staff_user)
    assert info.value.code == ErrorCode.ALREADY_DONE
    row = AuditLog.objects.get(action="api_key.revoked")
    assert (row.actor, row.details["reason"]) == (staff_user, "leaked")
