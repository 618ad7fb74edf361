"""The customer's statement out of Kantor: MT940 and CSV (API-1 /account/history/mt940, DOC-4).

Both read the customer's ``HistoryItem``s (what ``/account/history`` shows),
between two Warsaw dates (TIME-1): ``date_from`` inclusive, ``date_to``
exclusive, at most ``MAX_ITEMS`` operations (the reference's default volume
of 200), oldest first.

MT940 (the reference's example: ``:20:ST-WT161109EUR/1`` ``:25:WX123WX-EUR``
``:28C:314/1`` ``:60F:`` ``:62F:`` ``:64:``, CRLF): one statement per currency
of the wallet. Decisions:

* ``:25:`` is the wallet: the customer's deposit title and the currency;
* ``:28C:`` is the day of the year of ``date_from`` (as the example: 9
  November 2016 is day 314), sequence 1;
* ``:60F:`` is the balance before the first day, ``:62F:`` (and ``:64:``)
  the balance after the last operation listed; balances are the total
  (available + reserved), as ``balanceAfter`` in the history;
* ``:61:`` carries the type code (``NTRF`` transfers, ``NCHG`` fees,
  ``NFEX`` exchanges, ``NMSC`` the rest), the ``submitId`` (or ``NONREF``) as
  the customer's reference and the history item id after ``//``;
* ``:86:`` the operation type and its title, as Polish banks write it
  (``~00`` type, ``~20``–``~25`` title in 27-character parts).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from kantor.domain.calendar import WARSAW, warsaw_datetime
from kantor.domain.money import Money
from kantor.ledger.models import HistoryItem

__all__ = ["MAX_ITEMS", "history_csv", "history_items", "history_mt940"]

MAX_ITEMS = 200
_TYPE_CODES = {
    "PAYIN": "NTRF",
    "PAYOUT": "NTRF",
    "TRANSFER": "NTRF",
    "COMMISSION": "NCHG",
    "DIRECT_FX": "NFEX",
    "MARKET_FX": "NFEX",
}
CSV_COLUMNS = (
    "ts",
    "historyItemId",
    "transactionId",
    "currency",
    "operationType",
    "operationDetailedType",
    "operationAmount",
    "balanceAfter",
    "title",
    "counterparty",
    "account",
    "submitId",
)


def _span(date_from: date, date_to: date | None) -> tuple[datetime, datetime]:
    end = date_to or date_from + timedelta(days=1)
    return warsaw_datetime(date_from, time(0)), warsaw_datetime(end, time(0))


def history_items(
    customer, date_from: date, date_to: date | None = None, currencies: Iterable[str] = ()
) -> list[HistoryItem]:
    start, end = _span(date_from, date_to)
    items = HistoryItem.objects.filter(
        customer=customer, created_at__gte=start, created_at__lt=end
    ).select_related("transaction")
    codes = tuple(currencies)
    if codes:
        items = items.filter(currency__in=codes)
    return list(items.order_by("id")[:MAX_ITEMS])


def _title(item: HistoryItem) -> str:
    details = item.transaction.details or {}
    return str(details.get("transferTitle") or details.get("title") or item.transaction.description)


def _mt_amount(minor: int, cur: str) -> str:
    return f"{abs(Money.from_minor(minor, cur).amount):f}".replace(".", ",")


def _balance(tag: str, minor: int, day: date, cur: str) -> str:
    return f":{tag}:{'D' if minor < 0 else 'C'}{day:%y%m%d}{cur}{_mt_amount(minor, cur)}"


def _details(item: HistoryItem) -> list[str]:
    text = " ".join(_title(item).replace("~", "-").split())
    out = [f":86:{item.operation_type}~00{item.operation_detailed_type}"]
    for n, start in enumerate(range(0, min(len(text), 27 * 6), 27)):
        out.append(f"~{20 + n}{text[start : start + 27]}")
    return out


def _opening(customer, cur: str, before: datetime) -> int:
    last = (
        HistoryItem.objects.filter(customer=customer, currency=cur, created_at__lt=before)
        .order_by("-created_at", "-id")
        .values_list("balance_after_minor", flat=True)
        .first()
    )
    return last or 0


def history_mt940(
    customer, date_from: date, date_to: date | None = None, currencies: Iterable[str] = ()
) -> str:
    """The MT940 statement of the customer's wallet (module docstring)."""
    start, _ = _span(date_from, date_to)
    items = history_items(customer, date_from, date_to, currencies)
    wanted = tuple(currencies) or tuple(
        sorted(
            set(customer.ledger_accounts.values_list("currency", flat=True))
            | {i.currency for i in items}
        )
    )
    last_day = (date_to - timedelta(days=1)) if date_to else date_from
    out: list[str] = []
    for cur in wanted:
        mine = [i for i in items if i.currency == cur]
        opening = _opening(customer, cur, start)
        closing = mine[-1].balance_after_minor if mine else opening
        out += [
            f":20:ST{date_from:%y%m%d}{cur}/1",
            f":25:{customer.deposit_title}-{cur}",
            f":28C:{date_from.timetuple().tm_yday}/1",
            _balance("60F", opening, date_from, cur),
        ]
        for item in mine:
            moment = item.created_at.astimezone(WARSAW)
            mark = "C" if item.amount_minor >= 0 else "D"
            code = _TYPE_CODES.get(item.operation_type, "NMSC")
            ref = (item.transaction.submit_id or "NONREF")[:16]
            out.append(
                f":61:{moment:%y%m%d}{moment:%m%d}{mark}{_mt_amount(item.amount_minor, cur)}"
                f"{code}{ref}//{item.pk}"
            )
            out += _details(item)
        out += [_balance("62F", closing, last_day, cur), _balance("64", closing, last_day, cur)]
    return "".join(f"{line}\r\n" for line in out)


def history_csv(
    customer, date_from: date, date_to: date | None = None, currencies: Iterable[str] = ()
) -> str:
    """DOC-4: the same operations as a CSV (comma, UTF-8, one header row) for export."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for item in history_items(customer, date_from, date_to, currencies):
        details = item.transaction.details or {}
        writer.writerow(
            [
                item.created_at.astimezone(WARSAW).isoformat(timespec="seconds"),
                item.pk,
                item.transaction_id,
                item.currency,
                item.operation_type,
                item.operation_detailed_type,
                str(Money.from_minor(item.amount_minor, item.currency).amount),
                str(Money.from_minor(item.balance_after_minor, item.currency).amount),
                _title(item),
                details.get("senderName") or details.get("ownerName") or "",
                details.get("sourceAccount")
                if item.amount_minor > 0
                else details.get("destinationAccount") or "",
                item.transaction.submit_id,
            ]
        )
    return buffer.getvalue()
