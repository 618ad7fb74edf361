"""Money leaving the client accounts: withdrawals, WD-5 returns, DEP-4 refunds (WD-1..5).

A ``Payout`` is one outgoing transfer. Its life (WD-4)::

    request_received ──export──▶ sent ──statement──▶ settled ──return──▶ returned
          │                        │
          └──────── rejected ◀─────┘

The API's ``transferStatus`` (the reference's enum) reads ``request_received``
and ``sent`` both as REQUEST_RECEIVED.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kantor.domain.money import Money

from .accounts import OperatorAccount
from .deposits import Deposit
from .statements import BankEntry


class PayoutKind(models.TextChoices):
    WITHDRAWAL = "withdrawal", _("withdrawal (WD-1)")
    RETURN_TO_SOURCE = "return_to_source", _("return to the source account (WD-5)")
    REFUND = "refund", _("refund to the sender (DEP-4)")


CUSTOMER_KINDS = (PayoutKind.WITHDRAWAL, PayoutKind.RETURN_TO_SOURCE)


class PayoutStatus(models.TextChoices):
    REQUEST_RECEIVED = "request_received", _("received")
    SENT = "sent", _("sent to the bank")
    SETTLED = "settled", _("settled")
    REJECTED = "rejected", _("rejected")
    RETURNED = "returned", _("returned")


#: The reference's transferStatus for each status.
API_STATUS = {
    PayoutStatus.REQUEST_RECEIVED: "REQUEST_RECEIVED",
    PayoutStatus.SENT: "REQUEST_RECEIVED",
    PayoutStatus.SETTLED: "SETTLED",
    PayoutStatus.REJECTED: "REJECTED",
    PayoutStatus.RETURNED: "RETURNED",
}


class PayoutBatch(models.Model):
    """One ISO 20022 pain.001 file handed to the bank (WD-4)."""

    operator_account = models.ForeignKey(OperatorAccount, on_delete=models.PROTECT)
    currency = models.CharField(max_length=3)
    message_id = models.CharField(max_length=35, unique=True)
    file_name = models.CharField(max_length=100)
    content = models.TextField()
    sha256 = models.CharField(max_length=64)
    payout_count = models.PositiveIntegerField()
    total_minor = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("payout batch")
        verbose_name_plural = _("payout batches")
        ordering = ["-id"]

    @property
    def total(self) -> Money:
        return Money.from_minor(self.total_minor, self.currency)

    def __str__(self) -> str:
        return f"{self.file_name} ({self.payout_count} payouts, {self.total})"


class Payout(models.Model):
    #: The API's ``transferId``.
    transfer_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=20, choices=PayoutKind.choices)
    status = models.CharField(
        max_length=20, choices=PayoutStatus.choices, default=PayoutStatus.REQUEST_RECEIVED
    )
    customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    bank_account = models.ForeignKey(
        "customers.BankAccount", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    #: DEP-4: the refunded deposit; WD-5: the deposit whose account gets the money back.
    deposit = models.ForeignKey(
        Deposit, null=True, blank=True, on_delete=models.PROTECT, related_name="payouts"
    )
    operator_account = models.ForeignKey(OperatorAccount, on_delete=models.PROTECT)
    currency = models.CharField(max_length=3)
    #: What the order asked for (the reference's ``volume``).
    volume_minor = models.BigIntegerField()
    #: Taken from the customer's balance (or from refunds payable): net + fee.
    amount_minor = models.BigIntegerField()
    #: WD-3 fee, or DEP-4 refund cost; kept by the operator.
    fee_minor = models.BigIntegerField(default=0)
    destination_iban = models.CharField(max_length=34)
    destination_bic = models.CharField(max_length=11, blank=True)
    recipient_name = models.CharField(max_length=140)
    recipient_address = models.CharField(max_length=140, blank=True)
    title = models.CharField(max_length=140, blank=True)
    transfer_type = models.CharField(max_length=20, blank=True)
    idempotency_key = models.CharField(max_length=200, unique=True)
    submit_id = models.CharField(max_length=64, blank=True)
    ordered_by = models.CharField(max_length=200, blank=True)
    batch = models.ForeignKey(
        PayoutBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="payouts"
    )
    aml_flagged = models.BooleanField(default=False)
    aml_eur_amount = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    settled_at = models.DateTimeField(null=True, blank=True)
    rejected_at = models.DateTimeField(null=True, blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True, help_text=_("why it was rejected or returned"))
    return_reason_code = models.CharField(max_length=20, blank=True)
    settlement_entry = models.OneToOneField(
        BankEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="settled_payout"
    )
    return_entry = models.OneToOneField(
        BankEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="returned_payout"
    )

    class Meta:
        verbose_name = _("payout")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["status", "currency"]),
            models.Index(fields=["customer", "submit_id"]),
        ]
        permissions = [
            ("manage_payouts", "Can export payout files and reject or return payouts (WD-4)")
        ]

    @property
    def reference(self) -> str:
        """Our reference, first in the transfer's title: statements echo it back (WD-4)."""
        return f"WD-{self.pk:06d}"

    @property
    def net_minor(self) -> int:
        return self.amount_minor - self.fee_minor

    @property
    def net(self) -> Money:
        return Money.from_minor(self.net_minor, self.currency)

    @property
    def fee(self) -> Money:
        return Money.from_minor(self.fee_minor, self.currency)

    @property
    def amount(self) -> Money:
        return Money.from_minor(self.amount_minor, self.currency)

    @property
    def volume(self) -> Money:
        return Money.from_minor(self.volume_minor, self.currency)

    @property
    def api_status(self) -> str:
        return API_STATUS[PayoutStatus(self.status)]

    def __str__(self) -> str:
        return f"{self.reference if self.pk else 'payout'} {self.net} → {self.destination_iban}"


class _WithdrawalManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(kind__in=CUSTOMER_KINDS)


class Withdrawal(Payout):
    """A payout of the customer's own money (WD-1, WD-5): what the API's /transfer shows."""

    objects = _WithdrawalManager()

    class Meta:
        proxy = True
        verbose_name = _("withdrawal")
