from datetime import timedelta

from django.apps import AppConfig, apps


class RatesConfig(AppConfig):
    name = "kantor.rates"
    label = "rates"

    #: RATE-1: how often the worker brings mids up to date and republishes.
    tick_every = timedelta(seconds=5)

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system checks)

        if apps.is_installed("kantor.ops"):
            from kantor.ops import scheduler

            from .jobs import tick

            scheduler.register("rates.tick", every=self.tick_every, run=tick)
