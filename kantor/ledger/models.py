"""The double-entry ledger (MON-4, MON-5), after django-hordak's design.

Accounts hold one currency each. A ``LedgerTransaction`` is a set of ``Leg``s
whose amounts sum to zero per currency; amounts are integer minor units
(exact on SQLite and PostgreSQL alike), debits positive, credits negative.

An account's ``balance_minor`` is materialised in its *natural* sign — what a
person reading the account expects: a customer's available balance is what
the operator owes them (credit-normal), the client-money bank account is what
the operator holds (debit-normal). It is updated in the posting transaction,
with rows locked in id order, and ``kantor ledger check`` proves it equals the
sum of the legs.

Legs and transactions are immutable: corrections are new transactions.
PostgreSQL enforces balance, currency consistency and immutability with
triggers (see migrations); SQLite relies on the same check run in the posting
transaction (``kantor.ledger.posting``).
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kantor.domain.money import Money, currency


class AccountKind(models.TextChoices):
    """The account plan (docs/ARCHITECTURE.md). Customer kinds carry a customer."""

    CUSTOMER_AVAILABLE = "customer_available", _("customer funds, available")
    CUSTOMER_RESERVED = "customer_reserved", _("customer funds, reserved")
    CUSTOMER_RECEIVABLE = "customer_receivable", _("owed by the customer (damages, fees)")
    CLIENT_BANK = "client_bank", _("client-money bank account")
    PAYOUTS_IN_TRANSIT = "payouts_in_transit", _("payouts sent, not yet settled")
    FEE_INCOME = "fee_income", _("fee and commission income")
    FX_INCOME = "fx_income", _("exchange margin income")
    DAMAGES_INCOME = "damages_income", _("damages income (rate lock)")
    TRADING = "trading", _("trading (currency conversion)")
    SUSPENSE = "suspense", _("suspense: unassigned incoming transfers")
    PENDING_DEPOSITS = "pending_deposits", _("deposits awaiting identification")
    REFUNDS_PAYABLE = "refunds_payable", _("refunds payable to senders")
    BANK_FEES = "bank_fees", _("bank fees (expense)")
    OPERATOR_EQUITY = "operator_equity", _("operator's own funds")


#: Debit-normal kinds (assets and expenses): balance = debits − credits.
DEBIT_NORMAL = frozenset(
    {
        AccountKind.CLIENT_BANK,
        AccountKind.CUSTOMER_RECEIVABLE,
        AccountKind.PAYOUTS_IN_TRANSIT,
        AccountKind.BANK_FEES,
    }
)

#: MON-5: kinds whose balance may never go below zero.
NON_NEGATIVE = frozenset(
    {
        AccountKind.CUSTOMER_AVAILABLE,
        AccountKind.CUSTOMER_RESERVED,
        AccountKind.CUSTOMER_RECEIVABLE,
        AccountKind.CLIENT_BANK,
        AccountKind.PAYOUTS_IN_TRANSIT,
        AccountKind.SUSPENSE,
        AccountKind.PENDING_DEPOSITS,
        AccountKind.REFUNDS_PAYABLE,
    }
)

CUSTOMER_KINDS = frozenset(
    {
        AccountKind.CUSTOMER_AVAILABLE,
        AccountKind.CUSTOMER_RESERVED,
        AccountKind.CUSTOMER_RECEIVABLE,
    }
)


class Account(models.Model):
    kind = models.CharField(max_length=32, choices=AccountKind.choices)
    currency = models.CharField(max_length=3)
    customer = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_accounts",
    )
    #: Debit-normal accounts count debits as increases (sign +1), others −1.
    sign = models.SmallIntegerField(editable=False)
    allow_negative = models.BooleanField(editable=False)
    balance_minor = models.BigIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "currency", "customer"],
                name="ledger_account_unique_customer",
                condition=Q(customer__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["kind", "currency"],
                name="ledger_account_unique_operator",
                condition=Q(customer__isnull=True),
            ),
            models.CheckConstraint(
                condition=Q(balance_minor__gte=0) | Q(allow_negative=True),
                name="ledger_account_non_negative",
            ),
            models.CheckConstraint(condition=Q(sign__in=[1, -1]), name="ledger_account_sign"),
        ]
        indexes = [models.Index(fields=["customer", "currency"])]

    def save(self, *args, **kwargs):
        kind = AccountKind(self.kind)
        self.sign = 1 if kind in DEBIT_NORMAL else -1
        self.allow_negative = kind not in NON_NEGATIVE
        super().save(*args, **kwargs)

    @property
    def balance(self) -> Money:
        return Money.from_minor(self.balance_minor, self.currency)

    def __str__(self) -> str:
        owner = f" #{self.customer_id}" if self.customer_id else ""
        return f"{self.get_kind_display()}{owner} {self.currency}"


class LedgerTransaction(models.Model):
    """One business event; its legs balance per currency."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    #: Idempotency: the same external input (statement line, API submission,
    #: matcher sequence number) can never be booked twice.
    idempotency_key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=40)
    description = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(db_index=True)
    #: Walutomat's history: the client's submitId and who ordered it.
    submit_id = models.CharField(max_length=64, blank=True)
    ordered_by = models.CharField(max_length=200, blank=True)
    details = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.idempotency_key}"


class Leg(models.Model):
    transaction = models.ForeignKey(
        LedgerTransaction, on_delete=models.PROTECT, related_name="legs"
    )
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="legs")
    #: Denormalised from the account so the database can check balance per
    #: currency without a join; a trigger keeps it equal to the account's.
    currency = models.CharField(max_length=3)
    #: Debit positive, credit negative, minor units.
    amount_minor = models.BigIntegerField()
    #: Walutomat operationDetailedType for customer history (PAYIN, MARKET_FX...).
    operation = models.CharField(max_length=40, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~Q(amount_minor=0), name="ledger_leg_non_zero"),
        ]

    @property
    def amount(self) -> Decimal:
        return currency(self.currency).from_minor(self.amount_minor)

    def __str__(self) -> str:
        side = "Dr" if self.amount_minor > 0 else "Cr"
        return f"{side} {self.account} {abs(self.amount)}"


class HistoryItem(models.Model):
    """A customer's statement line (DOC-4, Walutomat's /account/history).

    Written by the posting code in the same transaction as the legs: one item
    per transaction, customer, currency and operation whose net effect on the
    customer's *total* balance (available + reserved) is not zero. Moving funds
    between available and reserved is therefore not history — as on Walutomat.
    """

    id = models.BigAutoField(primary_key=True)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="history_items"
    )
    transaction = models.ForeignKey(
        LedgerTransaction, on_delete=models.PROTECT, related_name="history_items"
    )
    currency = models.CharField(max_length=3)
    operation_type = models.CharField(max_length=20)
    operation_detailed_type = models.CharField(max_length=40)
    amount_minor = models.BigIntegerField()
    balance_after_minor = models.BigIntegerField()
    created_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["customer", "id"]),
            models.Index(fields=["customer", "created_at"]),
        ]

    @property
    def amount(self) -> Money:
        return Money.from_minor(self.amount_minor, self.currency)

    @property
    def balance_after(self) -> Money:
        return Money.from_minor(self.balance_after_minor, self.currency)
