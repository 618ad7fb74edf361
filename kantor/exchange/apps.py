from datetime import timedelta

from django.apps import AppConfig, apps


class ExchangeConfig(AppConfig):
    """Exchanges with the operator: instant (FX-1), on deposit (FX-2), rate lock (LOCK-1..15)."""

    name = "kantor.exchange"
    label = "exchange"
    verbose_name = "Kantor: exchange with the operator"

    def ready(self) -> None:
        from kantor.ledger import reservations

        from . import hooks, jobs, queries

        reservations.register("exchange.rate_lock", queries.reserved_for_rate_locks)
        hooks.connect()
        if apps.is_installed("kantor.ops"):
            from kantor.ops import scheduler

            scheduler.register(
                "exchange.rate_lock_deadlines", every=timedelta(minutes=1), run=jobs.deadlines
            )
            scheduler.register(
                "exchange.collect_damages", every=timedelta(minutes=15), run=jobs.collect_damages
            )
            scheduler.register(
                "exchange.purge_quotes", every=timedelta(hours=1), run=jobs.purge_quotes
            )
