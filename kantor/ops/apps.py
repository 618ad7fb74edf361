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
        scheduler.register(
            "api.purge_used_signatures",
            every=timedelta(minutes=5),
            run=api_jobs.purge_used_signatures,
        )
