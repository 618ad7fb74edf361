"""Who executes an exchange-on-deposit order (FX-2, MKT-11).

The exchange app owns the order placed by transfer: its title, the payout
account, the deposit handler that recognises the transfer. What happens to
the money is the *venue's* business:

* ``operator`` (built in): the exchange runs at once with the operator at the
  rate current when the deposit is booked (FX-2);
* another context registers a venue, e.g. the P2P market for MKT-11::

      from kantor.exchange import deposit_venues
      deposit_venues.register("market", place_market_order)

  ``place(order, deposit, amount) -> str`` runs inside banking's booking
  transaction with the deposit already on the customer's available balance;
  it places the market order (reserving ``amount``) and returns the market
  order's id. When that order fills, the market calls
  ``kantor.exchange.actions.deposit_order_proceeds(order, money, key=..., final=...)``
  to pay the proceeds out to the order's payout account with no further
  instruction (MKT-11, ``002`` §27.2).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["OPERATOR", "Venue", "names", "register", "venue"]

OPERATOR = "operator"

#: ``place(order, deposit, amount) -> reference``
Venue = Callable[[Any, Any, Any], str]

_venues: dict[str, Venue] = {}


def register(name: str, place: Venue) -> None:
    if name == OPERATOR:
        raise ValueError("the operator venue is built in")
    _venues[name] = place


def venue(name: str) -> Venue | None:
    return _venues.get(name)


def names() -> list[str]:
    return [OPERATOR, *sorted(_venues)]
