from datetime import timedelta

from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "kantor.ops"
    label = "ops"

    def ready(self) -> None:
        """The platform's schedule, in one place (docs/ARCHITECTURE.md, Time)."""
        from kantor.api import jobs as api_jobs

        from . import scheduler

        # Apps register their own jobs in their ready(): rates.tick (kantor.rates).
        # exchange.rate_lock_deadlines, exchange.collect_damages, exchange.purge_quotes
        # (LOCK-9/10/11, LOCK-3) are registered in kantor.exchange.apps.
        scheduler.register(
            "api.purge_used_signatures",
            every=timedelta(minutes=5),
            run=api_jobs.purge_used_signatures,
        )

        # -- banking (issue 4): DEP-4 refunds past their 14-business-day deadline
        from kantor.banking.actions import jobs as banking_jobs

        scheduler.register(
            "banking.overdue_refunds",
            every=timedelta(hours=1),
            run=banking_jobs.mark_overdue_refunds,
        )
