from django.apps import AppConfig


class BankingConfig(AppConfig):
    """Bank accounts of the operator, statements, deposits, refunds, withdrawals,
    payout files (BANK-1..2, DEP-1..6, WD-1..5, AML-2)."""

    name = "kantor.banking"
    label = "banking"
    verbose_name = "Kantor: banking (deposits and payouts)"

    def ready(self) -> None:
        from kantor.ledger import reservations

        from .queries import reserved_by_pending_payouts

        # MON-5: what pending withdrawals hold in customers' reserved accounts.
        reservations.register("banking.withdrawals", reserved_by_pending_payouts)
