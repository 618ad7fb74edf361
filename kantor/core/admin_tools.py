"""Back-office building blocks shared by the apps' admin modules (SEC-9, AML-4).

* ``ReadOnlyModelAdmin`` — pages that show records nobody may add, change or
  delete through the back office (ledger, audit log): money moves only
  through actions that post balanced transactions.
* ``ViewOnlyObjectMixin`` — the object page is read-only, while the change
  permission still enables the admin actions on the list (each of which
  calls an audited action).
* ``confirm_with_reason`` — an admin action asks for the reason of a staff
  decision on an intermediate page, then applies the decision to each
  selected object, reporting refusals one by one.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

__all__ = ["ReadOnlyModelAdmin", "ViewOnlyObjectMixin", "confirm_with_reason"]


class ReadOnlyModelAdmin(admin.ModelAdmin):
    """Nobody — not even a superuser — adds, changes or deletes these records here."""

    actions = None

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ViewOnlyObjectMixin:
    """The object page is view-only; list actions keep the model's change permission."""

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None:
            return False
        return super().has_change_permission(request, obj)

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


def confirm_with_reason(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet,
    *,
    title: str,
    apply: Callable[[Model, str], object],
    errors: tuple[type[Exception], ...],
):
    """Ask for a reason, then ``apply(obj, reason)`` to each selected object.

    ``errors`` are the refusals to report as messages (an action's domain
    exceptions); anything else propagates. Returns ``None`` (back to the list)
    once applied, or the confirmation page.
    """
    reason = " ".join(request.POST.get("reason", "").split())
    if "apply" in request.POST and reason:
        done = 0
        for obj in queryset.order_by("pk"):
            try:
                apply(obj, reason)
            except errors as error:
                modeladmin.message_user(request, f"{obj}: {error}", messages.ERROR)
            else:
                done += 1
        if done:
            modeladmin.message_user(request, f"{title}: {done}", messages.SUCCESS)
        return None
    if "apply" in request.POST:
        modeladmin.message_user(request, _("Give the reason for this decision."), messages.ERROR)
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "opts": modeladmin.model._meta,
        "queryset": queryset,
        "action": request.POST.get("action", ""),
        "reason": reason,
    }
    return TemplateResponse(request, "admin/kantor_core/confirm_with_reason.html", context)
