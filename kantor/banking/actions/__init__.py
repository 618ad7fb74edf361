"""Every write of the banking app (STYLE: one function per state change).

Each action runs in ``transaction.atomic`` (plain, not durable: the API's
``submit`` and other actions call them inside their own transaction), posts
money only through ``kantor.ledger.posting`` and writes an audit row for each
staff decision (AML-4).
"""

from .deposits import (
    approve_deposit,
    assign_deposit,
    refund_deposit,
    reject_deposit,
    reoffer_deposit,
    request_explanation,
)
from .jobs import mark_overdue_refunds
from .payouts import (
    book_bank_fee,
    export_payouts,
    mark_payout_returned,
    reject_payout,
    settle_payout,
)
from .statements import ImportSummary, detect_format, import_statement
from .withdrawals import (
    WithdrawalQuote,
    place_hold,
    quote_withdrawal,
    release_hold,
    request_withdrawal,
    return_to_source,
)

__all__ = [
    "ImportSummary",
    "WithdrawalQuote",
    "approve_deposit",
    "assign_deposit",
    "book_bank_fee",
    "detect_format",
    "export_payouts",
    "import_statement",
    "mark_overdue_refunds",
    "mark_payout_returned",
    "place_hold",
    "quote_withdrawal",
    "refund_deposit",
    "reject_deposit",
    "reject_payout",
    "release_hold",
    "reoffer_deposit",
    "request_explanation",
    "request_withdrawal",
    "return_to_source",
    "settle_payout",
]
