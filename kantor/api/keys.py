"""API key material (API-2): generation, lookup hash, encryption, public keys.

An API key is a random bearer token. Kantor keeps:

* ``key_hash`` — its SHA-256, the only thing a request is looked up by (a
  database leak does not reveal usable keys);
* ``key_encrypted`` — the key encrypted with Fernet under a key derived from
  ``SECRET_KEY`` (HKDF-SHA256), so the customer can view it again in the panel
  after an SMS code (API-2). ``SECRET_KEY_FALLBACKS`` still decrypt, so the
  secret can be rotated;
* ``prefix`` — its first characters, shown in ``orderedBy`` (``API/1a2b3…``).

``customers.actions.create_api_key`` calls ``new_key_material`` and
``load_public_key``; the request path calls ``hash_key``.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from functools import lru_cache

from cryptography.fernet import Fernet, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from django.conf import settings

__all__ = [
    "MIN_RSA_BITS",
    "PREFIX_LENGTH",
    "InvalidPublicKey",
    "KeyMaterial",
    "decrypt_key",
    "encrypt_key",
    "generate_key",
    "hash_key",
    "load_public_key",
    "new_key_material",
]

#: The reference asks for 4096-bit keys; anything below 2048 is refused.
MIN_RSA_BITS = 2048
PREFIX_LENGTH = 8
_HKDF_INFO = b"kantor.api.keys/v1"


class InvalidPublicKey(ValueError):
    """The uploaded text is not a usable RSA public key in PEM."""

    code = "INVALID_ARGUMENTS"


@dataclass(frozen=True)
class KeyMaterial:
    """What ``ApiKey`` stores for a new key, plus the key to show once."""

    key: str
    prefix: str
    key_hash: str
    key_encrypted: str


def generate_key() -> str:
    """256 bits of randomness as 64 hex digits.

    Hex needs no quoting in a header, and neither the key nor its prefix can
    start with ``-`` (which a shell command such as ``kantor apikey revoke
    PREFIX`` would take for an option, as base64url keys sometimes did).
    """
    return secrets.token_hex(32)


def hash_key(key: str) -> str:
    """The lookup hash: a plain SHA-256 is enough for a 256-bit random key."""
    return hashlib.sha256(key.encode()).hexdigest()


def _fernet_for(secret: str) -> Fernet:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_HKDF_INFO).derive(
        secret.encode()
    )
    return Fernet(base64.urlsafe_b64encode(derived))


def _fernet() -> MultiFernet:
    secrets_ = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([_fernet_for(s) for s in secrets_])


def encrypt_key(key: str) -> str:
    return _fernet().encrypt(key.encode()).decode()


def decrypt_key(token: str) -> str:
    """The key back, for the panel's "show key" (after an SMS code). Raises
    ``cryptography.fernet.InvalidToken`` when no known secret opens it."""
    return _fernet().decrypt(token.encode()).decode()


def new_key_material() -> KeyMaterial:
    key = generate_key()
    return KeyMaterial(
        key=key,
        prefix=key[:PREFIX_LENGTH],
        key_hash=hash_key(key),
        key_encrypted=encrypt_key(key),
    )


@lru_cache(maxsize=1024)
def load_public_key(pem: str) -> RSAPublicKey:
    """Parse (and cache) a customer's RSA public key; refuses other key types
    and keys shorter than ``MIN_RSA_BITS``. Call it when a key is uploaded so
    that a bad key is refused there, not at the first signed request."""
    try:
        public_key = load_pem_public_key(pem.strip().encode())
    except (ValueError, TypeError) as exc:
        raise InvalidPublicKey("not a PEM-encoded public key") from exc
    if not isinstance(public_key, RSAPublicKey):
        raise InvalidPublicKey("the public key must be an RSA key")
    if public_key.key_size < MIN_RSA_BITS:
        raise InvalidPublicKey(f"the RSA key must have at least {MIN_RSA_BITS} bits")
    return public_key
