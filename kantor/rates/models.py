"""Offered pairs, margins, mid history and the operator's published rates.

RATE-1: the platform keeps a market mid per pair (``MidRate``, from a rate
source) and publishes the operator's bid and ask (``PublishedRate``) computed
from the latest mid and the pair's margins (``Margin``, per customer segment).
MON-3: the operator configures which pairs are offered and at how many
decimals their rates are quoted (``OfferedPair``).

Mid history and published rates are append-only records: the back office
shows them read-only, and a published rate's ``ts`` is the identifier a
customer quotes back (Walutomat's ``direct_fx`` ``ts``).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from kantor.domain.money import CURRENCIES, CurrencyPair
from kantor.domain.rates import MAX_MARGIN

#: RATE-1: the segment every customer is in unless the operator says otherwise.
STANDARD_SEGMENT = "standard"


def validate_currency_code(value: str) -> None:
    """MON-1: only currencies of the platform's catalogue can be offered."""
    if value not in CURRENCIES:
        raise ValidationError(
            _("%(code)s is not a supported currency"), params={"code": value}, code="currency"
        )


class OfferedPair(models.Model):
    """MON-3: a pair the operator offers, quoted as quote units per 1 base unit."""

    code = models.CharField(_("pair"), max_length=6, unique=True, editable=False)
    base = models.CharField(_("base currency"), max_length=3, validators=[validate_currency_code])
    quote = models.CharField(_("quote currency"), max_length=3, validators=[validate_currency_code])
    rate_decimals = models.PositiveSmallIntegerField(
        _("rate decimals"), default=4, validators=[MaxValueValidator(8)]
    )
    enabled = models.BooleanField(_("offered"), default=True)
    display_order = models.PositiveSmallIntegerField(_("display order"), default=0)

    class Meta:
        ordering = ["display_order", "code"]
        verbose_name = _("offered currency pair")
        verbose_name_plural = _("offered currency pairs")
        constraints = [
            models.CheckConstraint(condition=~Q(base=F("quote")), name="rates_pair_two_currencies"),
            models.CheckConstraint(
                condition=Q(rate_decimals__lte=8), name="rates_pair_rate_decimals"
            ),
        ]

    def clean(self) -> None:
        self.base, self.quote = self.base.strip().upper(), self.quote.strip().upper()
        if self.base == self.quote:
            raise ValidationError(_("A pair needs two different currencies."))

    def save(self, *args, **kwargs) -> None:
        self.base, self.quote = self.base.strip().upper(), self.quote.strip().upper()
        self.code = f"{self.base}{self.quote}"
        super().save(*args, **kwargs)

    @property
    def pair(self) -> CurrencyPair:
        return CurrencyPair.parse(self.code, rate_decimals=self.rate_decimals)

    def __str__(self) -> str:
        return f"{self.base}/{self.quote}"


_margin_validators = [MinValueValidator(Decimal(0)), MaxValueValidator(MAX_MARGIN)]


class Margin(models.Model):
    """RATE-1: the operator's margins on a pair for one customer segment.

    Margins are fractions of the mid (0.0025 = 0.25 %), one per side, so the
    same number fits pairs of very different rates; ``kantor.domain.rates``
    turns them into rates, rounding in the operator's favour. A segment with
    no row of its own for a pair is quoted with the pair's ``standard`` row.
    """

    pair = models.ForeignKey(OfferedPair, on_delete=models.CASCADE, related_name="margins")
    segment = models.CharField(_("customer segment"), max_length=20, default=STANDARD_SEGMENT)
    bid_margin = models.DecimalField(
        _("buy margin (fraction of mid)"),
        max_digits=7,
        decimal_places=6,
        validators=_margin_validators,
        help_text=_("The operator buys at mid × (1 − margin); 0.0025 = 0.25 %."),
    )
    ask_margin = models.DecimalField(
        _("sell margin (fraction of mid)"),
        max_digits=7,
        decimal_places=6,
        validators=_margin_validators,
        help_text=_("The operator sells at mid × (1 + margin); 0.0025 = 0.25 %."),
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["pair__display_order", "pair__code", "segment"]
        verbose_name = _("margin")
        verbose_name_plural = _("margins")
        constraints = [
            models.UniqueConstraint(fields=["pair", "segment"], name="rates_margin_unique"),
            models.CheckConstraint(
                condition=Q(bid_margin__gte=0, bid_margin__lte=MAX_MARGIN)
                & Q(ask_margin__gte=0, ask_margin__lte=MAX_MARGIN),
                name="rates_margin_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pair} [{self.segment}] −{self.bid_margin} +{self.ask_margin}"


class MidRate(models.Model):
    """RATE-1: one market mid of a pair at a moment, as a source gave it.

    ``(pair, ts, source)`` is unique: importing the same table twice stores
    it once. ``reference`` says where it came from (NBP table number, the
    package version, the demo seed and step).
    """

    pair = models.ForeignKey(OfferedPair, on_delete=models.PROTECT, related_name="mids")
    ts = models.DateTimeField()
    mid = models.DecimalField(max_digits=18, decimal_places=8)
    source = models.CharField(max_length=32)
    reference = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pair", "ts"]
        verbose_name = _("mid rate")
        verbose_name_plural = _("mid rate history")
        constraints = [
            models.UniqueConstraint(fields=["pair", "ts", "source"], name="rates_mid_unique"),
            models.CheckConstraint(condition=Q(mid__gt=0), name="rates_mid_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.pair} {self.mid} @ {self.ts:%Y-%m-%d %H:%M:%S} ({self.source})"


class PublishedRate(models.Model):
    """RATE-1: the operator's rates for a pair and segment, valid from ``ts``.

    ``ts`` (UTC, whole milliseconds) identifies the quote: a direct exchange
    names it and gets exactly these rates while the quote is valid
    (``settings.KANTOR_DIRECT_FX_QUOTE_VALIDITY_SECONDS``). The margins used
    are kept with the rates (LOCK-11, LOCK-14 show them).
    """

    pair = models.ForeignKey(OfferedPair, on_delete=models.PROTECT, related_name="published")
    segment = models.CharField(max_length=20, default=STANDARD_SEGMENT)
    ts = models.DateTimeField()
    mid = models.DecimalField(max_digits=18, decimal_places=8)
    bid = models.DecimalField(max_digits=18, decimal_places=8)
    ask = models.DecimalField(max_digits=18, decimal_places=8)
    bid_margin = models.DecimalField(max_digits=7, decimal_places=6)
    ask_margin = models.DecimalField(max_digits=7, decimal_places=6)
    mid_ts = models.DateTimeField()
    mid_source = models.CharField(max_length=32)

    class Meta:
        ordering = ["pair", "segment", "ts"]
        verbose_name = _("published rate")
        verbose_name_plural = _("published rates")
        constraints = [
            models.UniqueConstraint(
                fields=["pair", "segment", "ts"], name="rates_published_unique"
            ),
            models.CheckConstraint(
                condition=Q(bid__gt=0, bid__lte=F("mid"), ask__gte=F("mid")),
                name="rates_published_bid_mid_ask",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pair} [{self.segment}] {self.bid}/{self.ask} @ {self.ts:%Y-%m-%d %H:%M:%S}"
