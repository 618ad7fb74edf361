"""Reading a customer's statement (DOC-4; Walutomat's /account/history).

A read over ``kantor.ledger.models.HistoryItem`` with the reference's filters
and keyset pagination on the item id (the id grows with creation, so "newest
first" is "highest id first" and a page never skips or repeats an item when
new ones arrive meanwhile). The panel's statement can use the same query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kantor.ledger.models import HistoryItem

__all__ = ["MAX_PAGE", "HistoryFilter", "history_page"]

#: The reference: itemLimit 1..200, default 200.
MAX_PAGE = 200


@dataclass(frozen=True)
class HistoryFilter:
    #: Inclusive.
    date_from: datetime | None = None
    #: Exclusive.
    date_to: datetime | None = None
    currencies: tuple[str, ...] = ()
    operation_type: str | None = None
    operation_detailed_type: str | None = None
    limit: int = MAX_PAGE
    #: Exclusive: the last ``historyItemId`` of the previous page.
    continue_from: int | None = None
    ascending: bool = False


def history_page(customer, query: HistoryFilter) -> list[HistoryItem]:
    items = HistoryItem.objects.filter(customer=customer).select_related("transaction")
    if query.date_from is not None:
        items = items.filter(created_at__gte=query.date_from)
    if query.date_to is not None:
        items = items.filter(created_at__lt=query.date_to)
    if query.currencies:
        items = items.filter(currency__in=query.currencies)
    if query.operation_type:
        items = items.filter(operation_type=query.operation_type)
    if query.operation_detailed_type:
        items = items.filter(operation_detailed_type=query.operation_detailed_type)
    if query.continue_from is not None:
        if query.ascending:
            items = items.filter(id__gt=query.continue_from)
        else:
            items = items.filter(id__lt=query.continue_from)
    items = items.order_by("id" if query.ascending else "-id")
    return list(items[: max(1, min(query.limit, MAX_PAGE))])
