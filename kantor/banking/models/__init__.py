"""The banking app's models, one module per idea (STYLE: modules under ~400 lines)."""

from .accounts import CustomerHold, OperatorAccount, WithdrawalFee
from .deposits import (
    Deposit,
    DepositForReview,
    DepositRefund,
    DepositStatus,
    ReviewReason,
    UnassignedDeposit,
)
from .payouts import (
    API_STATUS,
    CUSTOMER_KINDS,
    Payout,
    PayoutBatch,
    PayoutKind,
    PayoutStatus,
    Withdrawal,
)
from .statements import BankEntry, EntryKind, StatementImport

__all__ = [
    "API_STATUS",
    "CUSTOMER_KINDS",
    "BankEntry",
    "CustomerHold",
    "Deposit",
    "DepositForReview",
    "DepositRefund",
    "DepositStatus",
    "EntryKind",
    "OperatorAccount",
    "Payout",
    "PayoutBatch",
    "PayoutKind",
    "PayoutStatus",
    "ReviewReason",
    "StatementImport",
    "UnassignedDeposit",
    "Withdrawal",
    "WithdrawalFee",
]
