"""The order book's vocabulary: sides, reasons, events, errors (MKT-1..9).

The matching engine (``kantor.domain.orderbook``) is fed commands and answers
each one with a list of events. An event is a plain tuple whose first item is
its ``EventKind``; the rest follows the layout of the ``NamedTuple`` of the
same name below (``Fill``, ``Done``, ``Rested``, ``CancelRejected``), which
documents the fields. Plain tuples because the engine emits one or two per
command and a tuple literal costs a fraction of a class instance (measured
with ``python -m bench.engine``: named tuples made the engine ~18% slower).

Static types: ``FillEvent`` & co. are the tuple types, so a type checker
narrows ``Event`` on ``event[0] is EventKind.FILL``. Where names read better
than positions, ``named(event)`` gives the ``NamedTuple`` view; a view equals
the raw tuple (``==``), so tests can compare against views::

    for event in book.submit(...):
        if event[0] is EventKind.FILL:
            fill = named(event)  # Fill(kind, maker_id, taker_id, ...)

Units: prices are integer ticks (rate × 10**rate_decimals); ``base`` amounts
are base-currency minor units; ``quote`` amounts are quote-currency minor
units. An order's ``remaining`` is in the unit its volume was given in
(base, or quote for a volume limited in the quote currency, MKT-1).
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum, StrEnum
from typing import Literal, NamedTuple

__all__ = [
    "CancelRejected",
    "CancelRejectedEvent",
    "Command",
    "CommandKind",
    "Done",
    "DoneEvent",
    "DoneReason",
    "Event",
    "EventKind",
    "Fill",
    "FillEvent",
    "InvalidBook",
    "InvalidOrder",
    "OrderBelowMinimum",
    "OrderBookError",
    "OrderIdNotIncreasing",
    "OrderState",
    "Rested",
    "RestedEvent",
    "RestoreWouldCross",
    "SelfMatch",
    "Side",
    "named",
]


class Side(IntEnum):
    """Side of an order, always of the pair's base currency (glossary)."""

    BUY = 0
    SELL = 1


class DoneReason(StrEnum):
    """Why an order left the book (or never entered it).

    Only ``FILLED`` and ``EXHAUSTED`` mean the order ran its course; the others
    are cancellations in the sense of MKT-9 (by the customer, or by the
    operator under MKT-7, MKT-8 and the self-match rule).
    """

    #: the whole volume traded
    FILLED = "FILLED"
    #: MKT-9: the customer (or the operator, e.g. TERM-3) cancelled the rest
    CANCELLED = "CANCELLED"
    #: a resting order met an incoming order of the same customer
    SELF_MATCH = "SELF_MATCH"
    #: MKT-7: the next trade would have been outside the price band
    PRICE_BAND = "PRICE_BAND"
    #: MKT-8: after a partial fill, the rest is below the minimum trade value
    BELOW_MINIMUM = "BELOW_MINIMUM"
    #: MKT-1: a volume in the quote currency whose rest cannot buy or sell one
    #: more base minor unit at the next possible trade rate (dust)
    EXHAUSTED = "EXHAUSTED"


class SelfMatch(StrEnum):
    """Self-match prevention policy (see the module docstring of orderbook)."""

    #: the customer's resting order is cancelled, matching goes on ("expire maker")
    CANCEL_RESTING = "CANCEL_RESTING"
    #: no prevention; only for benchmarks against engines that have none
    ALLOW = "ALLOW"


class EventKind(StrEnum):
    """The first item of every event tuple."""

    RESTED = "RESTED"
    FILL = "FILL"
    DONE = "DONE"
    CANCEL_REJECTED = "CANCEL_REJECTED"


class CommandKind(IntEnum):
    """The first item of a command tuple (``OrderBook.apply``)."""

    #: ``(SUBMIT, order_id, owner, side, price, volume)``: a volume in base
    #: and the batch's MKT-7 band
    SUBMIT = 0
    #: ``(CANCEL, order_id)``
    CANCEL = 1
    #: ``(SUBMIT_FULL, order_id, owner, side, price, volume, in_quote, band)``:
    #: every argument of ``OrderBook.submit``
    SUBMIT_FULL = 2


#: a command of ``OrderBook.apply``, laid out as ``CommandKind`` documents
Command = (
    tuple[int, int, int, Side | int, int, int]
    | tuple[int, int]
    | tuple[int, int, int, Side | int, int, int, bool, tuple[int, int] | None]
)


class Rested(NamedTuple):
    """The (rest of the) incoming order now waits in the book (MKT-6)."""

    kind: Literal[EventKind.RESTED]
    order_id: int
    owner: int
    side: Side
    price: int
    #: what is left, in the order's volume unit (base, or quote if in_quote)
    remaining: int


class Fill(NamedTuple):
    """One trade between a resting (maker) and an incoming (taker) order.

    MKT-5: ``price`` is the maker's limit. MON-2: the buyer pays
    ``quote_paid`` = ceil(base × price / D), the seller receives
    ``quote_received`` = floor(base × price / D); the difference (0 or 1 minor
    unit) is the operator's.
    """

    kind: Literal[EventKind.FILL]
    maker_id: int
    taker_id: int
    maker_owner: int
    taker_owner: int
    price: int
    base: int
    quote_paid: int
    quote_received: int
    taker_side: Side


class Done(NamedTuple):
    """The order is finished: nothing of it is left in the book.

    Carries the order's totals so that the service can settle and release
    the rest of the reservation (MKT-2) without replaying the fills.
    """

    kind: Literal[EventKind.DONE]
    order_id: int
    owner: int
    side: Side
    reason: DoneReason
    #: base minor units bought or sold, over all fills
    base_filled: int
    #: quote minor units paid (BUY) or received (SELL), over all fills
    quote_filled: int
    #: what was left unfilled, in the order's volume unit
    remaining: int


class CancelRejected(NamedTuple):
    """MKT-9: a cancel named an order that is not resting in this book."""

    kind: Literal[EventKind.CANCEL_REJECTED]
    order_id: int
    #: always ``NOT_ACTIVE``: unknown, already finished, or already cancelled
    reason: str


#: the tuples the engine emits, field by field as in the views above
RestedEvent = tuple[Literal[EventKind.RESTED], int, int, Side, int, int]
FillEvent = tuple[Literal[EventKind.FILL], int, int, int, int, int, int, int, int, Side]
DoneEvent = tuple[Literal[EventKind.DONE], int, int, Side, DoneReason, int, int, int]
CancelRejectedEvent = tuple[Literal[EventKind.CANCEL_REJECTED], int, str]
Event = RestedEvent | FillEvent | DoneEvent | CancelRejectedEvent

_VIEWS: dict[EventKind, type] = {
    EventKind.RESTED: Rested,
    EventKind.FILL: Fill,
    EventKind.DONE: Done,
    EventKind.CANCEL_REJECTED: CancelRejected,
}


def named(event: Event) -> Rested | Fill | Done | CancelRejected:
    """The named view of an event tuple (equal to it)."""
    return _VIEWS[event[0]]._make(event)


class OrderState(NamedTuple):
    """A resting order as the service stores it and restores it after a restart."""

    order_id: int
    owner: int
    side: Side
    price: int
    remaining: int
    in_quote: bool = False
    base_filled: int = 0
    quote_filled: int = 0


class OrderBookError(ValueError):
    """A command the engine cannot take: a bug in the caller, not a market event.

    ``events``: the events of the commands before the refused one in the same
    batch (``OrderBook.apply``), which stand.
    """

    code = "ORDER_BOOK_ERROR"
    events: Sequence[Event] = ()


class InvalidBook(OrderBookError):
    code = "INVALID_BOOK"


class InvalidOrder(OrderBookError):
    code = "INVALID_ORDER"


class OrderIdNotIncreasing(OrderBookError):
    """Ids are the time priority (MKT-4): each must exceed every earlier one."""

    code = "ORDER_ID_NOT_INCREASING"


class RestoreWouldCross(OrderBookError):
    """Restored orders must not cross: a crossed saved state is corrupt."""

    code = "RESTORE_WOULD_CROSS"


class OrderBelowMinimum(OrderBookError):
    """MKT-8: a new order below the minimum trade value is refused.

    The code is Walutomat's error key (API-1).
    """

    code = "AMOUNT_TOO_SMALL"
