"""Demo data for ``make run``: operator staff, three customers with money, rates.

Idempotent: running it again changes nothing that exists (deposits have
fixed idempotency keys, people are looked up by e-mail). Customers are created
through the same actions the CLI and back office use, and their money arrives
as deposits booked through the ledger, so the books balance from the start.
"""

from __future__ import annotations

import contextlib
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from kantor.banking.queries import client_bank_account_iban
from kantor.core import roles
from kantor.customers.actions import (
    add_bank_account,
    create_api_key,
    create_customer,
    verify_bank_account,
)
from kantor.customers.models import ApiRole, Customer
from kantor.domain.money import Money
from kantor.ledger import accounts
from kantor.ledger.models import AccountKind
from kantor.ledger.operations import Operation
from kantor.ledger.posting import DuplicatePosting, Posting, credit, debit, post
from kantor.market.actions import place_order
from kantor.rates import actions as rate_actions
from kantor.rates import queries as rate_queries

DEMO_PASSWORD = "kantor-demo-2026"  # noqa: S105 - published demo credentials

STAFF = [
    ("admin@kantor.example", None),
    ("support@kantor.example", roles.SUPPORT),
    ("compliance@kantor.example", roles.COMPLIANCE),
    ("board@kantor.example", roles.BOARD),
]

CUSTOMERS = [
    {
        "kind": "individual",
        "first_name": "Jan",
        "last_name": "Kowalski",
        "pesel": "85031212343",
        "id_document_type": "id_card",
        "id_document_number": "ABA323456",
        "id_document_issued": "2021-05-10",
        "id_document_expires": "2031-05-10",
        "email": "jan.kowalski@example.com",
        "phone": "600100200",
        "street": "ul. Marszałkowska 10/4",
        "postal_code": "00-590",
        "city": "Warszawa",
        "country": "PL",
        "_accounts": [
            ("PL61109010140000071219812874", "PLN"),
            ("PL27114020040000300201355387", "EUR"),
        ],
        "_deposits": [("25000.00", "PLN"), ("3000.00", "EUR")],
    },
    {
        "kind": "individual",
        "first_name": "Anna",
        "last_name": "Nowak",
        "pesel": "92071314764",
        "id_document_type": "passport",
        "id_document_number": "EA1234567",
        "id_document_issued": "2019-02-01",
        "id_document_expires": "2029-02-01",
        "email": "anna.nowak@example.com",
        "phone": "601200300",
        "street": "ul. Długa 5",
        "postal_code": "80-827",
        "city": "Gdańsk",
        "country": "PL",
        "_accounts": [
            ("PL10105000997603123456789123", "PLN"),
            ("PL20102055581111123456789012", "USD"),
        ],
        "_deposits": [("8000.00", "PLN"), ("2500.00", "USD")],
    },
    {
        "kind": "company",
        "company_name": "Przykład Handel sp. z o.o.",
        "nip": "5260250274",
        "regon": "012100784",
        "legal_form": "sp. z o.o.",
        "representative_name": "Piotr Wiśniewski",
        "email": "biuro@przyklad-handel.pl",
        "phone": "512500400",
        "street": "ul. Półwiejska 2",
        "postal_code": "61-888",
        "city": "Poznań",
        "country": "PL",
        "_accounts": [("PL61109010140000071219812874", "EUR")],
        "_deposits": [("150000.00", "PLN"), ("40000.00", "EUR"), ("5000.00", "GBP")],
    },
]


def load_demo(*, now=None, out=print) -> None:
    now = now or timezone.now()
    with transaction.atomic():
        _staff(out)
        customers = [_customer(spec, out) for spec in CUSTOMERS]
        for spec, customer in zip(CUSTOMERS, customers, strict=True):
            for amount, cur in spec["_deposits"]:
                _deposit(customer, Money(Decimal(amount), cur), now)
    _rates(now, out)
    _market_orders(customers, out)
    _api_key(customers[0], out)


def _staff(out) -> None:
    users = get_user_model()
    for email, group in STAFF:
        user, created = users.objects.get_or_create(
            username=email, defaults={"email": email, "is_staff": True}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.is_superuser = group is None
            user.save()
            if group:
                user.groups.add(Group.objects.get(name=group))
            out(f"staff {email} ({group or 'superuser'})")


def _customer(spec: dict, out) -> Customer:
    existing = Customer.objects.filter(email=spec["email"]).first()
    if existing:
        return existing
    data = {k: v for k, v in spec.items() if not k.startswith("_")}
    customer = create_customer({**data, "password": DEMO_PASSWORD}, verified=True)
    holder = customer.display_name
    for iban, cur in spec["_accounts"]:
        account = add_bank_account(customer, iban, cur, holder)
        # BANK-2: as if the first deposit from it had passed staff review.
        verify_bank_account(account, reason="demo data")
    out(f"customer {customer.email} · deposit title {customer.deposit_title}")
    return customer


def _deposit(customer: Customer, money: Money, now) -> None:
    sender = customer.bank_accounts.first()
    with contextlib.suppress(DuplicatePosting):  # booked by an earlier run
        post(
            Posting(
                idempotency_key=f"demo:deposit:{customer.email}:{money.currency.code}",
                kind="deposit",
                description="demo deposit",
                created_at=now - timedelta(days=3),
                details={
                    "transferTitle": customer.deposit_title,
                    "senderName": customer.display_name,
                    "sourceAccount": sender.iban if sender else "",
                    "destinationAccount": client_bank_account_iban(money.currency.code) or "",
                },
                entries=[
                    debit(
                        accounts.operator_account(AccountKind.CLIENT_BANK, money.currency.code),
                        money,
                    ),
                    credit(
                        accounts.available(customer, money.currency.code), money, Operation.PAYIN
                    ),
                ],
            )
        )


def _rates(now, out) -> None:
    result = rate_actions.load_history(days=365)
    rate_actions.publish_rates(now)
    out(f"rates: {result}")


def _market_orders(customers: list[Customer], out) -> None:
    """A few resting EUR/PLN offers around the mid, so the book isn't empty (MKT-12).

    Bids below and asks above the mid never cross each other; the matcher
    started by ``kantor run`` rests them in the book. Fixed submitIds keep
    this idempotent.
    """
    mid = rate_queries.current_rate("EURPLN").mid
    step = Decimal("0.0050")
    anna, company = customers[1], customers[2]
    offers = [
        (anna, "BUY", "500.00", mid - step),
        (anna, "BUY", "300.00", mid - 2 * step),
        (company, "SELL", "1000.00", mid + step),
        (company, "SELL", "2500.00", mid + 3 * step),
    ]
    for n, (customer, side, volume, rate) in enumerate(offers, start=1):
        place_order(
            customer,
            "EURPLN",
            side,
            volume,
            "EUR",
            rate.quantize(Decimal("0.0001")),
            submit_id=f"demo-offer-{n}",
            ordered_by="demo",
        )
    out(f"market: {len(offers)} resting EUR/PLN offers around {mid}")


def _api_key(customer: Customer, out) -> None:
    """A ready-to-use API key with its private key, for trying the signed API."""
    folder = Path(settings.VAR_DIR) / "demo-api"
    if (folder / "api-key.txt").exists():
        return
    folder.mkdir(parents=True, exist_ok=True)
    private = rsa.generate_private_key(public_exponent=65537, key_size=4096)
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    _key, plaintext = create_api_key(
        customer,
        public_key_pem=public_pem.decode(),
        roles=[r.value for r in ApiRole],
        name="demo",
    )
    (folder / "private.key").write_bytes(
        private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    (folder / "private.key").chmod(0o600)
    (folder / "public.key").write_bytes(public_pem)
    (folder / "api-key.txt").write_text(plaintext + "\n")
    out(f"API key for {customer.email} in {folder}/ (api-key.txt, private.key)")
