"""The peer-to-peer market's records: orders, trades, and the per-pair log state.

The durable, ordered log of accepted commands (MKT-4 time priority; the
matcher's input) is the orders themselves: every accepted order gets the next
sequence number of its pair (``Order.seq``), every accepted cancel the next
one too (``Order.cancel_seq``). Numbers are taken from ``MarketSequence``
under its row lock at the very end of the accepting transaction, so they are
dense and commit in order: the matcher reads ``seq > applied_seq`` and can
never miss an order that commits late.

``MatcherState.applied_seq`` is the last command whose effects (trades, order
updates, postings) are committed; it moves in the same transaction as those
effects (compare-and-set), so after a crash the matcher rebuilds its book from
the orders resting at ``applied_seq`` and continues with the next command.

Amounts are integer minor units, rates ``Decimal`` (MON-1, MON-3).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kantor.domain.money import Money


class OrderStatus(models.TextChoices):
    """The reference's statuses: ACTIVE on the market, or CLOSED."""

    ACTIVE = "ACTIVE", "ACTIVE"
    CLOSED = "CLOSED", "CLOSED"


class CloseReason(models.TextChoices):
    """Why an order closed (``kantor.domain.orderbook_events.DoneReason``)."""

    FILLED = "FILLED", _("filled")
    EXHAUSTED = "EXHAUSTED", _("filled (the rest buys less than one minor unit)")
    CANCELLED = "CANCELLED", _("cancelled")
    SELF_MATCH = "SELF_MATCH", _("cancelled: met an order of the same customer")
    PRICE_BAND = "PRICE_BAND", _("cancelled: outside the price band (MKT-7)")
    BELOW_MINIMUM = "BELOW_MINIMUM", _("cancelled: rest below the minimum (MKT-8)")


class BuySell(models.TextChoices):
    BUY = "BUY", "BUY"
    SELL = "SELL", "SELL"


class MarketSequence(models.Model):
    """Per pair: the last sequence number handed to an accepted command."""

    pair = models.CharField(max_length=6, primary_key=True)
    #: MON-3: the rate decimals the pair's book counts ticks in, fixed when the
    #: pair's market opened (changing them would re-price resting orders).
    rate_decimals = models.PositiveSmallIntegerField()
    last_seq = models.BigIntegerField(default=0)


class MatcherState(models.Model):
    """Per pair: how far the matcher got, and the book it published (MKT-12)."""

    pair = models.CharField(max_length=6, primary_key=True)
    applied_seq = models.BigIntegerField(default=0)
    #: The top of the book after ``applied_seq`` (``kantor.market.snapshot``).
    book = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(null=True, blank=True)


class Order(models.Model):
    """MKT-1: a GTC limit order to buy or sell the pair's base currency.

    ``volume_minor`` is in ``volume_currency`` (either of the pair).
    ``reserved_minor`` is the full cover (MKT-2) taken from the sold
    currency's available balance on acceptance; ``sold_minor`` of it is spent
    by trades, ``released_minor`` goes back when the order closes.
    ``bought_minor`` is gross: the commission (FEE-1, in the bought currency)
    is ``commission_minor``.
    """

    order_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="market_orders"
    )
    pair = models.CharField(max_length=6)
    seq = models.BigIntegerField()
    side = models.CharField(max_length=4, choices=BuySell.choices)
    volume_minor = models.BigIntegerField()
    volume_currency = models.CharField(max_length=3)
    limit_price = models.DecimalField(max_digits=18, decimal_places=8)
    sold_currency = models.CharField(max_length=3)
    bought_currency = models.CharField(max_length=3)
    reserved_minor = models.BigIntegerField()
    sold_minor = models.BigIntegerField(default=0)
    bought_minor = models.BigIntegerField(default=0)
    commission_minor = models.BigIntegerField(default=0)
    released_minor = models.BigIntegerField(default=0)
    #: FEE-1 terms fixed at acceptance: the rate and the customer's discount.
    commission_rate = models.DecimalField(max_digits=7, decimal_places=6)
    fee_discount = models.DecimalField(max_digits=5, decimal_places=4, default=0)
    status = models.CharField(max_length=6, choices=OrderStatus.choices, default=OrderStatus.ACTIVE)
    close_reason = models.CharField(max_length=16, choices=CloseReason.choices, blank=True)
    #: MKT-9: the sequence number of the accepted cancel, if any.
    cancel_seq = models.BigIntegerField(null=True, blank=True)
    cancel_requested_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cancel_reason = models.CharField(max_length=300, blank=True)
    submit_id = models.CharField(max_length=36, blank=True)
    ordered_by = models.CharField(max_length=200, blank=True)
    submitted_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["pair", "seq"], name="market_order_unique_seq"),
            models.UniqueConstraint(
                fields=["pair", "cancel_seq"],
                condition=Q(cancel_seq__isnull=False),
                name="market_order_unique_cancel_seq",
            ),
            models.UniqueConstraint(
                fields=["customer", "submit_id"],
                condition=~Q(submit_id=""),
                name="market_order_unique_submit_id",
            ),
            models.CheckConstraint(
                condition=Q(sold_minor__lte=models.F("reserved_minor")),
                name="market_order_spends_at_most_its_cover",
            ),
        ]
        indexes = [
            models.Index(fields=["customer", "status", "submitted_at"]),
            models.Index(fields=["pair", "status", "seq"]),
        ]
        permissions = [("cancel_order", "Can cancel a customer's market order (MKT-9, TERM-3)")]

    @property
    def is_buy(self) -> bool:
        return self.side == BuySell.BUY

    @property
    def volume(self) -> Money:
        return Money.from_minor(self.volume_minor, self.volume_currency)

    @property
    def sold(self) -> Money:
        return Money.from_minor(self.sold_minor, self.sold_currency)

    @property
    def bought(self) -> Money:
        return Money.from_minor(self.bought_minor, self.bought_currency)

    @property
    def commission(self) -> Money:
        return Money.from_minor(self.commission_minor, self.bought_currency)

    @property
    def filled_in_volume_currency(self) -> int:
        return self.sold_minor if self.volume_currency == self.sold_currency else self.bought_minor

    @property
    def still_reserved_minor(self) -> int:
        """MKT-2: what the order still holds in the customer's reserved balance."""
        if self.status == OrderStatus.CLOSED:
            return 0
        return self.reserved_minor - self.sold_minor

    def __str__(self) -> str:
        return f"{self.side} {self.volume} {self.pair} @ {self.limit_price} ({self.order_id})"


class Trade(models.Model):
    """MKT-5, MKT-10: one match between a resting (maker) and an incoming (taker) order.

    ``(pair, seq, n)`` — the n-th trade of command ``seq`` — is unique: the
    same command can never be booked twice. The buyer pays
    ``quote_paid_minor`` (rounded up), the seller receives
    ``quote_received_minor`` (rounded down), the difference is the
    operator's (MON-2); each side's commission is in what it receives.
    """

    pair = models.CharField(max_length=6)
    seq = models.BigIntegerField()
    n = models.PositiveIntegerField()
    maker = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="+")
    taker = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="+")
    taker_side = models.CharField(max_length=4, choices=BuySell.choices)
    price = models.DecimalField(max_digits=18, decimal_places=8)
    base_minor = models.BigIntegerField()
    quote_paid_minor = models.BigIntegerField()
    quote_received_minor = models.BigIntegerField()
    buyer_commission_minor = models.BigIntegerField()
    seller_commission_minor = models.BigIntegerField()
    transaction_id = models.UUIDField()
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["pair", "seq", "n"], name="market_trade_unique"),
        ]
        indexes = [models.Index(fields=["pair", "-id"])]

    def __str__(self) -> str:
        return f"{self.pair} #{self.seq}.{self.n} {self.base_minor} @ {self.price}"
