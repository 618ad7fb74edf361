"""API-2: key material — lookup hash, encryption under SECRET_KEY, public keys."""

from __future__ import annotations

import hashlib

import pytest
from cryptography.fernet import InvalidToken
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from kantor.api.keys import (
    InvalidPublicKey,
    decrypt_key,
    encrypt_key,
    hash_key,
    load_public_key,
    new_key_material,
)
from tests.api.client import public_pem, rsa_key


def test_new_key_material_is_hashed_encrypted_and_prefixed_API_2():
    material = new_key_material()
    assert len(material.key) >= 43
    assert material.key_hash == hashlib.sha256(material.key.encode()).hexdigest()
    assert material.key_hash == hash_key(material.key)
    assert material.prefix == material.key[:8]
    assert material.key not in material.key_encrypted
    assert decrypt_key(material.key_encrypted) == material.key
    assert new_key_material().key != material.key


def test_a_key_encrypted_before_a_secret_rotation_still_decrypts_API_2(settings):
    token = encrypt_key("the-key")
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a new secret after rotation"
    assert decrypt_key(token) == "the-key"
    settings.SECRET_KEY_FALLBACKS = []
    with pytest.raises(InvalidToken):
        decrypt_key(token)


def test_an_rsa_public_key_in_pem_is_accepted_API_2():
    key = load_public_key(public_pem(rsa_key()))
    assert key.key_size == 2048


def _pem(public_key) -> str:
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


@pytest.mark.parametrize(
    "pem",
    [
        "not a key",
        "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
        _pem(ec.generate_private_key(ec.SECP256R1()).public_key()),
        _pem(rsa.generate_private_key(public_exponent=65537, key_size=1024).public_key()),  # noqa: S505
    ],
    ids=["text", "garbage", "ec", "rsa-1024"],
)
def test_unusable_public_keys_are_refused_API_2(pem):
    with pytest.raises(InvalidPublicKey):
        load_public_key(pem)
