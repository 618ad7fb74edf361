from datetime import timedelta

from django.apps import AppConfig, apps


class NotificationsConfig(AppConfig):
    """DOC-3: messages to customers go out through a durable outbox with retries."""

    name = "kantor.notifications"
    label = "notifications"
    verbose_name = "Kantor: notifications"

    def ready(self) -> None:
        if apps.is_installed("kantor.ops"):
            from kantor.ops import scheduler

            from . import conf, dispatch

            scheduler.register(
                "notifications.dispatch",
                every=timedelta(seconds=conf.dispatch_every_seconds()),
                run=dispatch.dispatch_due,
                own_transactions=True,  # never hold locks while a mail server answers
            )
