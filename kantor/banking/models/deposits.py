"""Incoming transfers and their identification (DEP-2..6, BANK-2, AML-2).

Where the money of a deposit sits in the ledger follows from its status:

==============  ==========================================================
status          money in
==============  ==========================================================
``review``      ``pending_deposits`` (DEP-3 first transfer, DEP-5 doubts)
``booked``      the customer's available balance
``unassigned``  ``suspense`` (DEP-6)
``refund_due``  ``refunds_payable`` (DEP-4), no refund under way
``refunding``   ``refunds_payable`` until the refund is sent, then on its way
``refunded``    gone back to the sender (or kept as the refund's cost)
==============  ==========================================================
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kantor.domain.money import Money

from .statements import BankEntry


class DepositStatus(models.TextChoices):
    REVIEW = "review", _("waiting for review")
    BOOKED = "booked", _("booked")
    UNASSIGNED = "unassigned", _("unassigned (suspense)")
    REFUND_DUE = "refund_due", _("to be refunded")
    REFUNDING = "refunding", _("refund under way")
    REFUNDED = "refunded", _("refunded")


class ReviewReason(models.TextChoices):
    """Why a transfer waits for staff (DEP-3, DEP-5) or was refused (DEP-4)."""

    FIRST_TRANSFER = "FIRST_TRANSFER", _("first transfer from this account (DEP-3)")
    NAME_UNSURE = "NAME_UNSURE", _("the sender's name or address is in doubt (DEP-5)")
    ACCOUNT_NOT_DEFINED = "ACCOUNT_NOT_DEFINED", _("sent from an account not defined (BANK-1)")
    NO_SENDER_ACCOUNT = "NO_SENDER_ACCOUNT", _("the bank gave no sender account")
    CUSTOMER_NOT_IN_SERVICE = "CUSTOMER_NOT_IN_SERVICE", _("the customer is suspended or gone")
    NAME_MISMATCH = "NAME_MISMATCH", _("the sender is somebody else (DEP-4)")
    NO_CUSTOMER = "NO_CUSTOMER", _("no customer found (DEP-6)")
    AMBIGUOUS = "AMBIGUOUS", _("the title or account points to several customers (DEP-6)")
    RETURNED_REFUND = "RETURNED_REFUND", _("a refund came back (DEP-6)")
    STAFF = "STAFF", _("staff decision")


class Deposit(models.Model):
    """One incoming transfer on an operator account (DEP-2)."""

    entry = models.OneToOneField(BankEntry, on_delete=models.PROTECT, related_name="deposit")
    customer = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deposits",
    )
    #: BANK-1: the customer's defined account the money came from, when it is one.
    sender_account = models.ForeignKey(
        "customers.BankAccount",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deposits",
    )
    currency = models.CharField(max_length=3)
    amount_minor = models.BigIntegerField()
    #: When the bank booked it (LOCK-6 compares this; DEP-4 counts from it).
    received_at = models.DateTimeField()
    status = models.CharField(max_length=12, choices=DepositStatus.choices)
    #: "title", "account" or "staff": how the customer was found.
    assigned_by = models.CharField(max_length=10, blank=True)
    titles = models.JSONField(default=list, blank=True)
    match_decision = models.CharField(max_length=10, blank=True)
    match_reasons = models.JSONField(default=list, blank=True)
    review_reason = models.CharField(max_length=30, choices=ReviewReason.choices, blank=True)
    #: DEP-4: 14 business days after arrival, end of that day, Warsaw time.
    refund_deadline = models.DateTimeField(null=True, blank=True)
    #: Set by the deadline job the first time the deadline is seen passed.
    refund_overdue_at = models.DateTimeField(null=True, blank=True)
    #: DEP-5: staff asked the customer to explain (the deposit is held meanwhile).
    explanation_requested_at = models.DateTimeField(null=True, blank=True)
    booked_at = models.DateTimeField(null=True, blank=True)
    #: AML-2: above the equivalent of 15 000 EUR at the day's rate.
    aml_flagged = models.BooleanField(default=False)
    aml_eur_amount = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_reason = models.TextField(blank=True)
    #: The deposit handler (kantor.banking.hooks) that claimed the booked money.
    claimed_by = models.CharField(max_length=60, blank=True)
    hook_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("deposit")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["status", "received_at"]),
            models.Index(fields=["aml_flagged"]),
        ]
        permissions = [
            (
                "review_deposit",
                "Can approve, reject, assign and refund incoming transfers (DEP-3..6)",
            )
        ]

    @property
    def money(self) -> Money:
        return Money.from_minor(self.amount_minor, self.currency)

    @property
    def refund_is_overdue(self) -> bool:
        """DEP-4: not refunded yet, and the deadline has passed."""
        return (
            self.refund_deadline is not None
            and self.status in (DepositStatus.REFUND_DUE, DepositStatus.REFUNDING)
            and self.refund_deadline < timezone.now()
        )

    def __str__(self) -> str:
        return f"deposit #{self.pk} {self.money} ({self.status})"


class _StatusManager(models.Manager):
    def __init__(self, *statuses: str) -> None:
        super().__init__()
        self.statuses = statuses

    def get_queryset(self):
        return super().get_queryset().filter(status__in=self.statuses)


class DepositForReview(Deposit):
    """The back office's review queue (DEP-3: first transfers; DEP-5: doubts)."""

    objects = _StatusManager(DepositStatus.REVIEW)

    class Meta:
        proxy = True
        verbose_name = _("transfer waiting for review")
        verbose_name_plural = _("review queue")


class UnassignedDeposit(Deposit):
    """DEP-6: the suspense queue."""

    objects = _StatusManager(DepositStatus.UNASSIGNED)

    class Meta:
        proxy = True
        verbose_name = _("unassigned transfer")
        verbose_name_plural = _("suspense queue")


class DepositRefund(Deposit):
    """DEP-4: refunds with their deadlines."""

    objects = _StatusManager(
        DepositStatus.REFUND_DUE, DepositStatus.REFUNDING, DepositStatus.REFUNDED
    )

    class Meta:
        proxy = True
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
