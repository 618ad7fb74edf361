from datetime import timedelta

from django.apps import AppConfig, apps


class MarketConfig(AppConfig):
    """The peer-to-peer market: orders, matching, trades (MKT-1..12, FEE-1, FEE-2)."""

    name = "kantor.market"
    label = "market"
    verbose_name = "Kantor: peer-to-peer market"

    def ready(self) -> None:
        from kantor.ledger import reservations

        from .queries import reserved_by_open_orders

        # MON-5, MKT-2: what open orders hold in customers' reserved accounts.
        reservations.register("market.orders", reserved_by_open_orders)
        if apps.is_installed("kantor.ops"):
            from kantor.ops import processes

            # `kantor run` starts the matchers of every pair next to the web server.
            processes.register("market", lambda: ["market", "matcher", "--all"])
        if apps.is_installed("kantor.ops") and apps.is_installed("kantor.notifications"):
            from kantor.ops import scheduler

            from . import confirmations

            # MKT-10, DOC-1, DOC-3: trade confirmations with proofs, closed-order e-mails.
            scheduler.register(
                "market.confirmations",
                every=timedelta(seconds=5),
                run=confirmations.run,
                own_transactions=True,  # a transaction per pair, not one around PDF rendering
            )
