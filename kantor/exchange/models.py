"""Exchanges with the operator (FX-1, FX-2), the rate-lock service (LOCK-1..15).

Money never lives here: every amount moves through the ledger
(``kantor.exchange.booking``); these rows say *why* it moved and hold the
terms fixed at acceptance (rates, amount due, title, deadline, LOCK-5). All
amounts are integer minor units with their currency, as in the ledger.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kantor.domain.money import CurrencyPair, Money
from kantor.domain.ratelock import LockedOrder, Side

RATE = {"max_digits": 20, "decimal_places": 10}


class Direction(models.TextChoices):
    """Side of the base currency, as Walutomat's ``buySell``."""

    BUY = "BUY", _("buy")
    SELL = "SELL", _("sell")

    @property
    def side(self) -> Side:
        return Side[self.value]


class ExchangeSource(models.TextChoices):
    INSTANT = "instant", _("instant exchange (FX-1)")
    RATE_LOCK = "rate_lock", _("rate-locked order (LOCK-9)")
    DEPOSIT_ORDER = "deposit_order", _("exchange on deposit (FX-2)")


class Exchange(models.Model):
    """One exchange with the operator as the counterparty, booked in one ledger
    transaction (its ``exchangeId`` is the id). ``bought`` is net of any
    commission; ``margin`` is what went to ``fx_income`` (quote currency)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="exchanges"
    )
    source = models.CharField(max_length=16, choices=ExchangeSource.choices)
    pair = models.CharField(max_length=6)
    side = models.CharField(max_length=4, choices=Direction.choices)
    rate = models.DecimalField(**RATE)
    mid = models.DecimalField(**RATE)
    #: The published rate's ``ts`` (FX-1) or the quote's (LOCK-3).
    rate_ts = models.DateTimeField(null=True, blank=True)
    sold_currency = models.CharField(max_length=3)
    sold_minor = models.BigIntegerField()
    bought_currency = models.CharField(max_length=3)
    bought_minor = models.BigIntegerField()
    commission_minor = models.BigIntegerField(default=0)
    margin_minor = models.BigIntegerField(default=0)
    transaction = models.OneToOneField(
        "ledger.LedgerTransaction", on_delete=models.PROTECT, related_name="+"
    )
    submit_id = models.CharField(max_length=64, blank=True)
    ordered_by = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("exchange with the operator")
        verbose_name_plural = _("exchanges with the operator")

    @property
    def sold(self) -> Money:
        return Money.from_minor(self.sold_minor, self.sold_currency)

    @property
    def bought(self) -> Money:
        return Money.from_minor(self.bought_minor, self.bought_currency)

    def __str__(self) -> str:
        return f"{self.side} {self.pair}: {self.sold} → {self.bought}"


class TreasuryPosition(Exchange):
    """The back office's treasury page (no table of its own: a view over the ledger)."""

    class Meta:
        proxy = True
        verbose_name = _("treasury position")
        verbose_name_plural = _("treasury position")


class AgreementStatus(models.TextChoices):
    ACTIVE = "active", _("active")
    ENDED_BY_CUSTOMER = "ended_by_customer", _("ended by the customer")
    ENDED_BY_OPERATOR = "ended_by_operator", _("ended by the operator")
    ENDED_WITH_BASIC = "ended_with_basic", _("ended with the basic agreement")


class RateLockAgreement(models.Model):
    """LOCK-1: the additional agreement. One row per conclusion; at most one active.

    ``refuse_new`` marks an agreement the operator ended for a reason on the
    customer's side (``003`` pkt 8): a new one is refused until staff allow it.
    """

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="rate_lock_agreements"
    )
    status = models.CharField(
        max_length=20, choices=AgreementStatus.choices, default=AgreementStatus.ACTIVE
    )
    concluded_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=500, blank=True)
    refuse_new = models.BooleanField(default=False)

    class Meta:
        ordering = ["-concluded_at"]
        verbose_name = _("rate-lock agreement")
        constraints = [
            models.UniqueConstraint(
                fields=["customer"],
                condition=Q(status="active"),
                name="exchange_one_active_rate_lock_agreement",
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.get_status_display()}"


class RateLockQuote(models.Model):
    """LOCK-3: the rates shown when placing starts; placing names it by id."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    pair = models.CharField(max_length=6)
    rate_decimals = models.PositiveSmallIntegerField(default=4)
    mid = models.DecimalField(**RATE)
    bid = models.DecimalField(**RATE)
    ask = models.DecimalField(**RATE)
    #: The published rate's ``ts`` the quote was taken from.
    rate_ts = models.DateTimeField()
    quoted_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)

    @property
    def currency_pair(self) -> CurrencyPair:
        return CurrencyPair.parse(self.pair, self.rate_decimals)

    def __str__(self) -> str:
        return f"{self.pair} {self.bid}/{self.ask} until {self.expires_at:%H:%M:%S}"


class LockStatus(models.TextChoices):
    AWAITING_PAYMENT = "awaiting_payment", _("awaiting payment")
    PAID_WAITING = "paid_waiting", _("paid, waiting for the service's conditions")
    EXECUTED = "executed", _("executed")
    CANCELLED = "cancelled", _("cancelled")


OPEN_LOCK_STATUSES = (LockStatus.AWAITING_PAYMENT, LockStatus.PAID_WAITING)


class LockCancelReason(models.TextChoices):
    NOT_PAID_IN_TIME = "NOT_PAID_IN_TIME", _("not paid in time (LOCK-10)")
    CONDITIONS_NOT_MET = "CONDITIONS_NOT_MET", _("conditions not met by the deadline (LOCK-9)")
    CUSTOMER_WITHDREW = "CUSTOMER_WITHDREW", _("the customer withdrew (LOCK-15)")


class RateLockOrder(models.Model):
    """A rate-locked order (LOCK-2..15). Its terms are fixed at placing (LOCK-5)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="rate_lock_orders"
    )
    pair = models.CharField(max_length=6)
    rate_decimals = models.PositiveSmallIntegerField(default=4)
    side = models.CharField(max_length=4, choices=Direction.choices)
    #: K, the order amount in the base currency.
    amount_minor = models.BigIntegerField()
    rate = models.DecimalField(**RATE)
    mid = models.DecimalField(**RATE)
    bid = models.DecimalField(**RATE)
    ask = models.DecimalField(**RATE)
    rate_ts = models.DateTimeField(null=True, blank=True)
    due_currency = models.CharField(max_length=3)
    due_minor = models.BigIntegerField()
    proceeds_currency = models.CharField(max_length=3)
    proceeds_minor = models.BigIntegerField()
    exposure_pln_minor = models.BigIntegerField()
    title = models.CharField(max_length=16, unique=True)
    placed_at = models.DateTimeField()
    deadline = models.DateTimeField(db_index=True)
    #: LOCK-9 "per the customer's instruction": pay out there, or keep on the balance.
    payout_account = models.ForeignKey(
        "customers.BankAccount", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        max_length=20, choices=LockStatus.choices, default=LockStatus.AWAITING_PAYMENT
    )
    #: The bank's booking time of the accepted payment (LOCK-6) and its deposit.
    paid_at = models.DateTimeField(null=True, blank=True)
    payment_deposit_id = models.BigIntegerField(null=True, blank=True)
    payment_sender_account = models.ForeignKey(
        "customers.BankAccount", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    executed_at = models.DateTimeField(null=True, blank=True)
    exchange = models.OneToOneField(
        Exchange, null=True, blank=True, on_delete=models.PROTECT, related_name="rate_lock_order"
    )
    payout_reference = models.CharField(max_length=64, blank=True)
    payout_error = models.CharField(max_length=300, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=20, choices=LockCancelReason.choices, blank=True)
    mid_at_cancellation = models.DecimalField(null=True, blank=True, **RATE)
    #: LOCK-11 damages S (quote currency): booked, collected from the balance, waived.
    damages_minor = models.BigIntegerField(default=0)
    damages_collected_minor = models.BigIntegerField(default=0)
    damages_waived_minor = models.BigIntegerField(default=0)
    waived_at = models.DateTimeField(null=True, blank=True)
    waived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    waive_reason = models.CharField(max_length=500, blank=True)
    submit_id = models.CharField(max_length=64, blank=True)
    ordered_by = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-placed_at"]
        verbose_name = _("rate-locked order")
        indexes = [models.Index(fields=["customer", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(damages_collected_minor__gte=0)
                & Q(damages_waived_minor__gte=0)
                & Q(damages_collected_minor__lte=models.F("damages_minor")),
                name="exchange_rate_lock_damages_sane",
            ),
        ]
        permissions = [("waive_damages", "Can waive rate-lock damages (LOCK-11)")]

    @property
    def currency_pair(self) -> CurrencyPair:
        return CurrencyPair.parse(self.pair, self.rate_decimals)

    @property
    def direction(self) -> Direction:
        return Direction(self.side)

    @property
    def amount(self) -> Money:
        return Money.from_minor(self.amount_minor, self.currency_pair.base)

    @property
    def amount_due(self) -> Money:
        return Money.from_minor(self.due_minor, self.due_currency)

    @property
    def proceeds(self) -> Money:
        return Money.from_minor(self.proceeds_minor, self.proceeds_currency)

    @property
    def damages(self) -> Money:
        return Money.from_minor(self.damages_minor, self.currency_pair.quote)

    @property
    def damages_owed(self) -> Money:
        """What the customer still owes: booked − collected − waived."""
        owed = self.damages_minor - self.damages_collected_minor - self.damages_waived_minor
        return Money.from_minor(max(owed, 0), self.currency_pair.quote)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_LOCK_STATUSES

    def as_domain(self) -> LockedOrder:
        """The pure value the rules in ``kantor.domain.ratelock`` work on."""
        return LockedOrder(
            pair=self.currency_pair,
            side=self.direction.side,
            amount=self.amount,
            rate=self.rate,
            mid=self.mid,
            bid=self.bid,
            ask=self.ask,
            amount_due=self.amount_due,
            proceeds=self.proceeds,
            title=self.title,
            placed_at=self.placed_at,
            deadline=self.deadline,
            exposure_pln=Money.from_minor(self.exposure_pln_minor, "PLN"),
        )

    def __str__(self) -> str:
        return f"{self.title} {self.side} {self.amount} @ {self.rate}"


class RateLockPayment(models.Model):
    """LOCK-7/8/10: what one booked deposit did for the customer's locked orders.

    One row per deposit that named a locked order or arrived while the
    customer had one open; ``deposit_id`` makes the deposit handler idempotent.
    """

    deposit_id = models.BigIntegerField(unique=True)
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="+")
    order = models.ForeignKey(
        RateLockOrder, null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    named_order = models.ForeignKey(
        RateLockOrder, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    currency = models.CharField(max_length=3)
    amount_minor = models.BigIntegerField()
    description = models.CharField(max_length=300, blank=True)
    booked_at = models.DateTimeField()
    reason = models.CharField(max_length=32)
    accepted = models.BooleanField()
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    @property
    def amount(self) -> Money:
        return Money.from_minor(self.amount_minor, self.currency)


class DepositOrderStatus(models.TextChoices):
    OPEN = "open", _("waiting for the transfer")
    PLACED = "placed", _("handed to its venue (MKT-11), waiting for the fill")
    EXECUTED = "executed", _("executed")
    CANCELLED = "cancelled", _("cancelled")
    FAILED = "failed", _("could not be executed")


class DepositOrder(models.Model):
    """FX-2: exchange what arrives under ``title`` and pay the proceeds out.

    ``volume`` is in the currency the customer transfers (sells); ``venue``
    says who executes it: the operator at its current rate, or another
    context registered in ``kantor.exchange.deposit_venues`` (MKT-11).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="deposit_orders"
    )
    venue = models.CharField(max_length=16, default="operator")
    pair = models.CharField(max_length=6)
    side = models.CharField(max_length=4, choices=Direction.choices)
    volume_currency = models.CharField(max_length=3)
    volume_minor = models.BigIntegerField()
    limit_rate = models.DecimalField(null=True, blank=True, **RATE)
    payout_account = models.ForeignKey(
        "customers.BankAccount", on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(max_length=16, unique=True)
    status = models.CharField(
        max_length=12, choices=DepositOrderStatus.choices, default=DepositOrderStatus.OPEN
    )
    created_at = models.DateTimeField()
    deposit_id = models.BigIntegerField(null=True, blank=True, unique=True)
    exchange = models.OneToOneField(
        Exchange, null=True, blank=True, on_delete=models.PROTECT, related_name="deposit_order"
    )
    venue_reference = models.CharField(max_length=64, blank=True)
    payout_reference = models.CharField(max_length=64, blank=True)
    payout_error = models.CharField(max_length=300, blank=True)
    failure = models.CharField(max_length=300, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    submit_id = models.CharField(max_length=64, blank=True)
    ordered_by = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("exchange-on-deposit order")

    @property
    def currency_pair(self) -> CurrencyPair:
        return CurrencyPair.parse(self.pair)

    @property
    def volume(self) -> Money:
        return Money.from_minor(self.volume_minor, self.volume_currency)

    def __str__(self) -> str:
        return f"{self.title} {self.side} {self.pair} {self.volume}"
