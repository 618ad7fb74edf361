"""The ledger's row writer stores exactly what the ORM would (``kantor.ledger.writer``).

On PostgreSQL many rows travel in COPY's text format, formatted by
``kantor.core.bulk`` (a few as one INSERT); text that COPY treats specially (tabs, newlines,
backslashes, ``\\N``) and non-ASCII names must come back unchanged.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kantor.ledger import accounts
from kantor.ledger.models import AccountKind, HistoryItem, LedgerTransaction, Leg
from kantor.ledger.posting import Posting, credit, debit, post_many
from tests.factories import fund

AWKWARD = "tab\there, new\nline, back\\slash, \\N, carriage\rreturn, Łódź żółć"


@pytest.mark.parametrize("batch", [1, 40], ids=["one row: INSERT", "many rows: COPY"])
def test_awkward_text_round_trips_through_the_bulk_writer_MON_4(customer, batch):
    fund(customer, "10.00", "PLN")
    available = accounts.available(customer, "PLN")
    bank = accounts.operator_account(AccountKind.CLIENT_BANK, "PLN")
    at = datetime(2026, 11, 21, 12, 30, 45, 123456, tzinfo=UTC)
    filler = [
        Posting(
            idempotency_key=f"filler:{i}",
            kind="deposit",
            entries=[debit(bank, "0.01", "PAYIN"), credit(available, "0.01", "PAYIN")],
            created_at=at,
        )
        for i in range(batch - 1)
    ]
    *_, tx_id = post_many(
        [
            *filler,
            Posting(
                idempotency_key=f"test:{AWKWARD}",
                kind="deposit",
                entries=[debit(bank, "1.23", "PAYIN"), credit(available, "1.23", "PAYIN")],
                description=AWKWARD,
                details={"note": AWKWARD, "nested": {"list": [1, "a\tb"]}},
                submit_id="sub\tid",
                ordered_by="",
                created_at=at,
            ),
        ]
    )

    tx = LedgerTransaction.objects.get(pk=tx_id)
    assert tx.idempotency_key == f"test:{AWKWARD}"
    assert tx.description == AWKWARD
    assert tx.details == {"note": AWKWARD, "nested": {"list": [1, "a\tb"]}}
    assert (tx.submit_id, tx.ordered_by, tx.created_by_id) == ("sub\tid", "", None)
    assert tx.created_at == at
    legs = sorted(Leg.objects.filter(transaction=tx).values_list("amount_minor", "operation"))
    assert legs == [(-123, "PAYIN"), (123, "PAYIN")]
    before = 1000 + batch - 1  # the fund, then the fillers' grosze
    item = HistoryItem.objects.get(transaction=tx)
    assert (item.amount_minor, item.balance_after_minor, item.created_at) == (123, before + 123, at)
    available.refresh_from_db()
    assert available.balance_minor == before + 123
