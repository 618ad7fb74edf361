"""DOC-1, MKT-10: the proof of purchase and sale of one side of a market trade.

``002`` §26.2: after a trade the customer receives an e-mail with the
information about it and a proof of purchase and sale ("dowód kupna –
sprzedaży"). Each side gets its own: who the operator and the customer are,
the trade, the moment (Europe/Warsaw), the pair and rate, what the customer
sold, what they bought, the commission (FEE-1, taken from what they bought)
and what they received net — to the grosz, from the trade row itself, so
the proof e-mailed and the one downloaded later are the same document.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from xml.sax.saxutils import escape

from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import pgettext
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from kantor.api.formats import rate_at_decimals
from kantor.customers.models import Customer, CustomerKind
from kantor.domain.calendar import to_warsaw
from kantor.domain.money import CurrencyPair, Money
from kantor.market.models import BuySell, MarketSequence, Order, Trade
from kantor.notifications.language import supported
from kantor.web.templatetags.kantor import money as format_money

from . import pdf
from .conf import OperatorIdentity, operator_identity

__all__ = [
    "CustomerParty",
    "NotAParty",
    "TradeProof",
    "format_rate",
    "market_pair_of",
    "proof_filename",
    "proof_rate",
    "render_trade_proof",
    "trade_proof",
    "trade_sides",
]

CONTENT_TYPE = "application/pdf"


class NotAParty(LookupError):
    """The customer is neither the buyer nor the seller of the trade."""


@dataclass(frozen=True)
class CustomerParty:
    name: str
    address: tuple[str, ...]
    number: str
    #: ``(label, value)``: NIP and REGON of a company.
    tax_ids: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class TradeProof:
    """One customer's side of a trade, as the proof states it (DOC-1)."""

    number: str
    trade_id: int
    order_id: str
    executed_at: datetime
    pair: CurrencyPair
    rate: Decimal
    #: True: the customer bought the pair's base currency (and sold the quote).
    bought_base: bool
    sold: Money
    bought: Money
    commission: Money
    customer: CustomerParty
    operator: OperatorIdentity

    @property
    def net(self) -> Money:
        """What reached the customer's balance: bought less the commission (FEE-1)."""
        return self.bought - self.commission


def trade_sides(trade: Trade) -> tuple[Order, Order]:
    """(buyer's order, seller's order) of ``trade`` (of the base currency)."""
    if trade.taker_side == BuySell.BUY:
        return trade.taker, trade.maker
    return trade.maker, trade.taker


def _customer_party(customer: Customer) -> CustomerParty:
    address = [customer.street, f"{customer.postal_code} {customer.city}".strip()]
    if customer.country and customer.country != "PL":
        address.append(customer.country)
    tax_ids: list[tuple[str, str]] = []
    if customer.kind == CustomerKind.COMPANY:
        tax_ids.append(("NIP", customer.nip))
        if customer.regon:
            tax_ids.append(("REGON", customer.regon))
    return CustomerParty(
        name=customer.display_name,
        address=tuple(line for line in address if line),
        number=f"{customer.pk:06d}",
        tax_ids=tuple(tax_ids),
    )


def market_pair_of(code: str) -> CurrencyPair:
    """The pair with the rate decimals its market counts in (MON-3)."""
    decimals = (
        MarketSequence.objects.filter(pair=code).values_list("rate_decimals", flat=True).first()
    )
    return CurrencyPair.parse(code, decimals if decimals is not None else 4)


def trade_proof(
    trade: Trade, customer: Customer, *, operator: OperatorIdentity | None = None
) -> TradeProof:
    """The proof of ``customer``'s side of ``trade``; ``NotAParty`` if they have none."""
    buyer, seller = trade_sides(trade)
    if buyer.customer_id == customer.pk:
        order, bought_base = buyer, True
    elif seller.customer_id == customer.pk:
        order, bought_base = seller, False
    else:
        raise NotAParty(f"customer {customer.pk} is no party to trade {trade.pk}")
    pair = market_pair_of(trade.pair)
    base, quote = pair.base, pair.quote
    if bought_base:  # paid quote (rounded up), got base, commission in base
        sold = Money.from_minor(trade.quote_paid_minor, quote)
        bought = Money.from_minor(trade.base_minor, base)
        commission = Money.from_minor(trade.buyer_commission_minor, base)
    else:  # sold base, got quote (rounded down), commission in quote
        sold = Money.from_minor(trade.base_minor, base)
        bought = Money.from_minor(trade.quote_received_minor, quote)
        commission = Money.from_minor(trade.seller_commission_minor, quote)
    return TradeProof(
        number=f"P2P-{trade.pk}-{'B' if bought_base else 'S'}",
        trade_id=trade.pk,
        order_id=str(order.order_id),
        executed_at=to_warsaw(trade.created_at),
        pair=pair,
        rate=trade.price,
        bought_base=bought_base,
        sold=sold,
        bought=bought,
        commission=commission,
        customer=_customer_party(customer),
        operator=operator or operator_identity(),
    )


def proof_filename(proof: TradeProof, lang: str) -> str:
    with translation.override(supported(lang)):
        stem = pgettext("proof", "proof-of-purchase-and-sale")
    return f"{stem}-{proof.number}.pdf"


def format_rate(rate: Decimal, pair: CurrencyPair) -> str:
    """A rate at the pair's decimals (MON-3; never re-rounded), in the active language."""
    shown = rate_at_decimals(rate, pair)
    return number_format(shown, max(0, -shown.as_tuple().exponent))


def proof_rate(proof: TradeProof) -> str:
    return format_rate(proof.rate, proof.pair)


def render_trade_proof(proof: TradeProof, lang: str) -> bytes:
    """The PDF of ``proof`` in ``lang`` (Polish or English); same proof, same bytes."""
    lang = supported(lang)
    with translation.override(lang):
        title = pgettext("proof", "Proof of purchase and sale")
        return pdf.build(
            _flowables(proof, title),
            title=f"{title} {proof.number}",
            author=proof.operator.name,
            subject=f"{proof.pair.base.code}/{proof.pair.quote.code}",
            lang=lang,
        )


def _p(text: str, style) -> Paragraph:
    return Paragraph(text, style)


def _lines(*lines: str) -> str:
    return "<br/>".join(escape(line) for line in lines if line)


def _flowables(proof: TradeProof, title: str) -> list:
    s = pdf.styles()
    op, cu = proof.operator, proof.customer
    base, quote = proof.pair.base.code, proof.pair.quote.code
    when = proof.executed_at.strftime("%Y-%m-%d %H:%M:%S")

    operator_block = _p(
        f"<b>{escape(op.name)}</b><br/>"
        + _lines(op.address, f"NIP {op.nip}" if op.nip else "", op.registration),
        s["body"],
    )
    heading = [
        _p(escape(title), s["title"]),
        _p(
            _lines(pgettext("proof", "No. %(number)s") % {"number": proof.number}, when), s["right"]
        ),
    ]
    top = Table([[operator_block, heading]], colWidths=[75 * mm, 95 * mm])
    top.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))

    customer_lines = [
        *cu.address,
        *(f"{label} {value}" for label, value in cu.tax_ids),
        pgettext("proof", "Customer no. %(number)s") % {"number": cu.number},
    ]
    customer_block = [
        _p(escape(pgettext("proof", "Customer")), s["heading"]),
        _p(f"<b>{escape(cu.name)}</b><br/>" + _lines(*customer_lines), s["body"]),
    ]

    kind = (
        pgettext("proof", "purchase of %(base)s for %(quote)s")
        if proof.bought_base
        else pgettext("proof", "sale of %(base)s for %(quote)s")
    ) % {"base": base, "quote": quote}
    facts = [
        (pgettext("proof", "Trade no."), str(proof.trade_id)),
        (pgettext("proof", "Order"), proof.order_id),
        (
            pgettext("proof", "Date and time"),
            pgettext("proof", "%(when)s (Polish time)") % {"when": when},
        ),
        (pgettext("proof", "Currency pair"), f"{base}/{quote}"),
        (pgettext("proof", "Type"), kind),
        (
            pgettext("proof", "Exchange rate"),
            pgettext("proof", "%(rate)s %(quote)s per 1 %(base)s")
            % {"rate": proof_rate(proof), "quote": quote, "base": base},
        ),
    ]
    facts_table = Table(
        [[_p(escape(k), s["body"]), _p(escape(v), s["body"])] for k, v in facts],
        colWidths=[45 * mm, 125 * mm],
    )
    facts_table.setStyle(_GRID)

    amounts = [
        (pgettext("proof", "Sold"), proof.sold, False),
        (pgettext("proof", "Bought"), proof.bought, False),
        (pgettext("proof", "Commission"), proof.commission, False),
        (pgettext("proof", "Received, net of commission"), proof.net, True),
    ]
    amounts_table = Table(
        [
            [
                _p(f"<b>{escape(label)}</b>" if strong else escape(label), s["body"]),
                _p(escape(format_money(value)), s["right_bold" if strong else "right"]),
            ]
            for label, value, strong in amounts
        ],
        colWidths=[120 * mm, 50 * mm],
    )
    amounts_table.setStyle(_GRID)

    note = pgettext(
        "proof",
        "A trade between customers on the peer-to-peer currency market, concluded through "
        "the operator's service and booked on the customer account when it was concluded. "
        "The commission is taken from the amount bought. "
        "This document was issued electronically and needs no signature.",
    )
    return [
        top,
        Spacer(1, 8 * mm),
        *customer_block,
        _p(escape(pgettext("proof", "Trade")), s["heading"]),
        facts_table,
        _p(escape(pgettext("proof", "Amounts")), s["heading"]),
        amounts_table,
        Spacer(1, 6 * mm),
        _p(escape(note), s["small"]),
    ]


_GRID = TableStyle(
    [
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, colors.lightgrey),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
)
