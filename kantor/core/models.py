"""Cross-cutting records: the audit log (SEC-9, AML-4).

Every staff decision and every state change made by an action leaves one
``AuditLog`` row, written in the action's own transaction: if the change
rolls back, so does its audit row, and a committed change always has one.
Rows are append-only: the model refuses updates and deletes, and on
PostgreSQL a trigger refuses them too (migration 0001).
"""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditLogImmutable(Exception):
    """SEC-9: audit rows are never edited or deleted."""

    code = "AUDIT_LOG_IMMUTABLE"


class AuditLog(models.Model):
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    #: The staff member (or the customer's own user) who acted; empty for the
    #: system (scheduled jobs, the CLI run by the operator).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("who"),
    )
    #: The actor's user name when it acted (or ``system``), kept as text so the
    #: row stays readable even if the account is renamed.
    actor_label = models.CharField(_("who (as recorded)"), max_length=150)
    #: ``<object>.<verb>``, e.g. ``customer.status_changed``.
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise AuditLogImmutable("audit log entries cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditLogImmutable("audit log entries cannot be deleted")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.actor_label} {self.action}"
