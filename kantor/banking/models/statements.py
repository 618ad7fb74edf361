"""Imported statement files and their entries (DEP-2)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kantor.domain.money import Money

from .accounts import OperatorAccount


class StatementImport(models.Model):
    """One import of a statement file: who, when, what it held and what came of it."""

    filename = models.CharField(max_length=300, blank=True)
    format = models.CharField(max_length=10)
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveIntegerField()
    imported_at = models.DateTimeField(auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    summary = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("statement import")
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return f"import #{self.pk} {self.filename or self.sha256[:12]} ({self.format})"


class EntryKind(models.TextChoices):
    """What an entry on the operator's account turned out to be."""

    DEPOSIT = "deposit", _("incoming transfer")
    PAYOUT_SETTLED = "payout_settled", _("payout left the account (WD-4)")
    PAYOUT_RETURNED = "payout_returned", _("payout returned (WD-4)")
    UNMATCHED_DEBIT = "unmatched_debit", _("outgoing, not matched: for staff")
    BANK_FEE = "bank_fee", _("bank fee")
    IGNORED = "ignored", _("zero amount: nothing to book")


class BankEntry(models.Model):
    """One booked entry of a statement; ``(account_iban, bank_reference)`` is the
    idempotency key (DEP-2: the same entry imported twice is stored once)."""

    statement_import = models.ForeignKey(
        StatementImport, on_delete=models.PROTECT, related_name="entries"
    )
    account = models.ForeignKey(OperatorAccount, on_delete=models.PROTECT, related_name="entries")
    account_iban = models.CharField(max_length=34)
    bank_reference = models.CharField(max_length=255)
    statement_id = models.CharField(max_length=200, blank=True)
    direction = models.CharField(max_length=4)
    currency = models.CharField(max_length=3)
    amount_minor = models.BigIntegerField()
    booking_date = models.DateField()
    value_date = models.DateField()
    counterparty_name = models.CharField(max_length=300, blank=True)
    counterparty_address = models.CharField(max_length=300, blank=True)
    counterparty_account = models.CharField(max_length=64, blank=True)
    title = models.TextField(blank=True)
    returned = models.BooleanField(default=False)
    return_reason = models.CharField(max_length=100, blank=True)
    reversal = models.BooleanField(default=False)
    transaction_code = models.CharField(max_length=40, blank=True)
    raw = models.TextField(blank=True)
    kind = models.CharField(max_length=20, choices=EntryKind.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("bank entry")
        verbose_name_plural = _("bank entries")
        constraints = [
            models.UniqueConstraint(
                fields=["account_iban", "bank_reference"], name="banking_entry_unique_reference"
            )
        ]
        indexes = [models.Index(fields=["kind", "resolved_at"])]

    @property
    def money(self) -> Money:
        return Money.from_minor(self.amount_minor, self.currency)

    @property
    def is_credit(self) -> bool:
        return self.direction == "CRDT"

    def __str__(self) -> str:
        sign = "+" if self.is_credit else "-"
        return f"{self.account_iban} {self.bank_reference} {sign}{self.money}"
