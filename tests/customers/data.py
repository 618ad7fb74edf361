"""Valid KYC data for tests: real checksums (python-stdnum), no mocks."""

from __future__ import annotations

import itertools
from datetime import date

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from stdnum.pl import nip as stdnum_nip
from stdnum.pl import pesel as stdnum_pesel
from stdnum.pl import regon as stdnum_regon

_serial = itertools.count(1)

#: Real-format Polish IBANs of three banks (checksums valid).
IBAN_ERSTE = "PL61109010140000071219812874"
IBAN_MBANK = "PL27114020040000300201355387"
IBAN_ING = "PL10105000997603123456789123"


def pesel_for(birth: date, serial: int | None = None) -> str:
    """A valid PESEL for a birth date (the month carries the century offset)."""
    serial = next(_serial) if serial is None else serial
    offset = {18: 80, 19: 0, 20: 20, 21: 40, 22: 60}[birth.year // 100]
    stem = f"{birth.year % 100:02d}{birth.month + offset:02d}{birth.day:02d}{serial % 10000:04d}"
    return stem + stdnum_pesel.calc_check_digit(stem)


def new_nip() -> str:
    """A valid NIP: the weighted sum of the first nine digits mod 11 is the tenth."""
    weights = (6, 5, 7, 2, 3, 4, 5, 6, 7)
    while True:
        stem = f"{521 + next(_serial) % 400:03d}{next(_serial) % 1000000:06d}"
        check = sum(w * int(d) for w, d in zip(weights, stem, strict=True)) % 11
        if check < 10:
            number = stem + str(check)
            assert stdnum_nip.is_valid(number)
            return number


def new_regon() -> str:
    stem = f"{next(_serial) % 100000000:08d}"
    return stem + stdnum_regon.calc_check_digit(stem)


def individual_data(**overrides) -> dict:
    n = next(_serial)
    data = {
        "kind": "individual",
        "first_name": "Jan",
        "last_name": "Nowak",
        "pesel": pesel_for(date(1985, 3, 12), n),
        "id_document_type": "id_card",
        "id_document_number": "ABA300000",
        "id_document_issued": "2020-01-15",
        "id_document_expires": "2030-01-15",
        "email": f"jan.nowak{n}@example.com",
        "phone": "600 100 200",
        "street": "ul. Marszałkowska 1",
        "postal_code": "00-001",
        "city": "Warszawa",
    }
    data.update(overrides)
    return data


def company_data(**overrides) -> dict:
    n = next(_serial)
    data = {
        "kind": "company",
        "company_name": f"Acme {n} sp. z o.o.",
        "nip": new_nip(),
        "regon": new_regon(),
        "legal_form": "sp. z o.o.",
        "representative_name": "Anna Kowalska",
        "email": f"biuro{n}@acme.example.com",
        "phone": "+48 501 200 300",
        "street": "ul. Prosta 20",
        "postal_code": "00-850",
        "city": "Warszawa",
    }
    data.update(overrides)
    return data


def rsa_public_pem(bits: int = 2048) -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def ec_public_pem() -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def rsa_private_pem(bits: int = 2048) -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
