"""The operator's client-money accounts (DEP-1), the WD-3 fee table, AML holds (WD-2)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kantor.banking.statements.model import is_iban
from kantor.domain.fees import ANY_BANK, ANY_CURRENCY, FeeError, WithdrawalFeeRule
from kantor.domain.money import Money, MoneyError, currency


class OperatorAccount(models.Model):
    """DEP-1, MON-4: a segregated client-money bank account of the operator.

    One *active* account per currency receives deposits (it is what deposit
    instructions show) and sends payouts; statements of an inactive (former)
    account are still accepted, since money may still arrive there.
    """

    currency = models.CharField(max_length=3)
    iban = models.CharField(_("IBAN"), max_length=34, unique=True)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    bank_name = models.CharField(max_length=200, blank=True)
    #: What the customer writes as the recipient (ZBP QR: at most 20 characters are used).
    recipient_name = models.CharField(max_length=140)
    recipient_address = models.CharField(max_length=140, blank=True)
    #: The operator's NIP, the first field of the Polish transfer QR code.
    recipient_nip = models.CharField(_("NIP"), max_length=10, blank=True)
    is_active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("operator bank account")
        constraints = [
            models.UniqueConstraint(
                fields=["currency"],
                condition=Q(is_active=True),
                name="banking_one_active_account_per_currency",
            )
        ]

    def clean(self) -> None:
        self.iban = "".join(self.iban.split()).upper()
        if not is_iban(self.iban):
            raise ValidationError({"iban": _("not a valid IBAN")})
        try:
            self.currency = currency(self.currency).code
        except MoneyError as exc:
            raise ValidationError({"currency": str(exc)}) from None

    def __str__(self) -> str:
        return f"{self.iban} ({self.currency})"


class WithdrawalFee(models.Model):
    """WD-3: one row of the fee table the operator edits (``kantor.domain.fees``).

    The lookup takes the most specific matching row and refuses a tie, so two
    rows of the same specificity that can match the same withdrawal — same
    currency, and both for every other bank or naming a common bank — make
    the table ambiguous. ``clean`` (the back office) refuses such a row; the
    database refuses its simplest form, two rows for the same banks and
    currency, which ``banks`` and ``currency`` are kept normalised for
    (sorted, comma-separated numbers; an upper-case code or ``*``).
    """

    banks = models.CharField(
        max_length=400,
        blank=True,
        help_text=_("3-digit Polish bank numbers, comma-separated; empty: every other bank"),
    )
    currency = models.CharField(max_length=3, help_text=_("ISO code, or * for every currency"))
    fee_pln = models.DecimalField(_("fee in PLN"), max_digits=12, decimal_places=2)
    label = models.CharField(max_length=100, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("withdrawal fee")
        constraints = [
            models.UniqueConstraint(
                fields=["banks", "currency"],
                name="banking_withdrawal_fee_unique_banks_currency",
                violation_error_message=_(
                    "Another row already sets the fee for these banks and this currency."
                ),
            )
        ]

    def bank_numbers(self) -> frozenset[str]:
        return frozenset(b.strip() for b in self.banks.split(",") if b.strip()) or ANY_BANK

    def currency_code(self) -> str:
        return self.currency.strip().upper() or ANY_CURRENCY

    def rule(self) -> WithdrawalFeeRule:
        return WithdrawalFeeRule(
            self.bank_numbers(),
            self.currency_code(),
            Money(Decimal(self.fee_pln), "PLN"),
            self.label,
        )

    def normalise(self) -> None:
        """The stored form the unique constraint compares: ``102,144`` and ``EUR``/``*``."""
        self.banks = ",".join(sorted(self.bank_numbers()))
        self.currency = self.currency_code()

    def overlapping(self) -> list[WithdrawalFee]:
        """WD-3: the other rows that would tie with this one for some withdrawal."""
        mine = self.bank_numbers()
        rows = WithdrawalFee.objects.exclude(pk=self.pk) if self.pk else WithdrawalFee.objects
        out = []
        for row in rows.all():
            if row.currency_code() != self.currency_code():
                continue
            theirs = row.bank_numbers()
            if (not mine and not theirs) or (mine & theirs):
                out.append(row)
        return out

    def clean(self) -> None:
        self.normalise()
        try:
            self.rule()
        except (FeeError, MoneyError) as exc:
            raise ValidationError(str(exc)) from None
        clashes = self.overlapping()
        if not clashes:
            return
        mine = self.bank_numbers()
        shared = mine & frozenset().union(*(row.bank_numbers() for row in clashes))
        raise ValidationError(
            _(
                "The table would be ambiguous: %(rows)s already sets the fee for "
                "%(banks)s in %(currency)s. Change that row, or leave those banks out."
            ),
            code="ambiguous",
            params={
                "rows": ", ".join(f"“{row}”" for row in clashes),
                "banks": ", ".join(sorted(shared)) if mine else _("every other bank"),
                "currency": self.currency_code(),
            },
        )

    def save(self, *args, **kwargs) -> None:
        self.normalise()
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return f"{self.label or self.banks or 'other banks'} {self.currency}: {self.fee_pln} PLN"


class CustomerHold(models.Model):
    """WD-2, AML-3: while a hold is active, no payout leaves for this customer."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="payout_holds"
    )
    reason = models.TextField()
    placed_at = models.DateTimeField(auto_now_add=True)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    release_reason = models.TextField(blank=True)

    class Meta:
        verbose_name = _("AML hold")
        permissions = [("place_hold", "Can place and release AML holds on payouts (WD-2)")]

    @property
    def is_active(self) -> bool:
        return self.released_at is None

    def __str__(self) -> str:
        state = "active" if self.is_active else "released"
        return f"hold on customer #{self.customer_id} ({state})"
