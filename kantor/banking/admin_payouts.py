"""Back office for money going out and for the banking configuration (WD-1..5, DEP-1, AML-2).

* **Payouts** — withdrawals, WD-5 returns and DEP-4 refunds, filterable by
  kind, status and AML-2 flag; *reject* (money back) and *returned by the
  bank* are audited decisions.
* **Payout batches** — the pain.001 files, read-only, with their content.
* **Withdrawal fees** — the WD-3 table, edited here (each change audited).
* **Operator bank accounts** — the client-money accounts of DEP-1 (audited).
* **AML holds** — placed and released with a reason (WD-2, AML-3).
"""

from __future__ import annotations

from django.contrib import admin
from django.db import transaction
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from kantor.core import audit
from kantor.core.admin_tools import ReadOnlyModelAdmin, ViewOnlyObjectMixin, confirm_with_reason

from . import actions
from .errors import BankingError
from .models import CustomerHold, OperatorAccount, Payout, PayoutBatch, WithdrawalFee


def _payout_decision(name: str, title: str, call):
    def action(modeladmin, request, queryset):
        return confirm_with_reason(
            modeladmin,
            request,
            queryset,
            title=str(title),
            apply=lambda payout, reason: call(payout, request.user, reason),
            errors=(BankingError,),
        )

    action.__name__ = name
    return action


reject = admin.action(description=_("Reject: the money goes back"), permissions=["manage"])(
    _payout_decision(
        "reject",
        _("Reject payouts"),
        lambda p, u, r: actions.reject_payout(p, acting_user=u, reason=r),
    )
)
returned = admin.action(description=_("Returned by the bank"), permissions=["manage"])(
    _payout_decision(
        "returned",
        _("Mark payouts returned"),
        lambda p, u, r: actions.mark_payout_returned(p, acting_user=u, reason=r),
    )
)


@admin.register(Payout)
class PayoutAdmin(ViewOnlyObjectMixin, admin.ModelAdmin):
    list_display = (
        "reference",
        "created_at",
        "kind",
        "status",
        "customer",
        "net",
        "fee",
        "destination_iban",
        "recipient_name",
        "aml_flagged",
        "batch",
    )
    list_filter = ("status", "kind", "currency", "aml_flagged")
    search_fields = (
        "=transfer_id",
        "=destination_iban",
        "recipient_name",
        "customer__email",
        "=submit_id",
    )
    list_select_related = ("customer", "batch")
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Payout._meta.fields]
    fields = readonly_fields
    actions = (reject, returned)

    def has_manage_permission(self, request) -> bool:
        return request.user.has_perm("banking.manage_payouts")

    @admin.display(description=_("reference"), ordering="id")
    def reference(self, obj: Payout) -> str:
        return obj.reference

    @admin.display(description=_("paid out"))
    def net(self, obj: Payout) -> str:
        return str(obj.net)

    @admin.display(description=_("fee"))
    def fee(self, obj: Payout) -> str:
        return str(obj.fee)


@admin.register(PayoutBatch)
class PayoutBatchAdmin(ReadOnlyModelAdmin):
    list_display = (
        "id",
        "created_at",
        "currency",
        "payout_count",
        "total",
        "file_name",
        "created_by",
    )
    list_filter = ("currency",)
    readonly_fields = (
        "operator_account",
        "currency",
        "message_id",
        "file_name",
        "sha256",
        "payout_count",
        "total",
        "created_at",
        "created_by",
        "file",
    )
    fields = readonly_fields

    @admin.display(description=_("pain.001"))
    def file(self, obj: PayoutBatch) -> str:
        return format_html("<pre style='white-space:pre-wrap'>{}</pre>", obj.content)


class _AuditedAdmin(admin.ModelAdmin):
    """Configuration edited here is audited (SEC-9): who changed what, old and new."""

    audit_action = ""

    def save_model(self, request, obj, form, change: bool) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            audit.record(
                f"{self.audit_action}.{'changed' if change else 'added'}",
                acting_user=request.user,
                obj=obj,
                details={f: str(form.cleaned_data.get(f)) for f in form.changed_data},
            )

    def delete_model(self, request, obj) -> None:
        with transaction.atomic():
            audit.record(f"{self.audit_action}.deleted", acting_user=request.user, obj=obj)
            super().delete_model(request, obj)


@admin.register(WithdrawalFee)
class WithdrawalFeeAdmin(_AuditedAdmin):
    """WD-3: the most specific matching row wins (named banks, then a named currency);
    a row that could tie with another is refused (``WithdrawalFee.clean``)."""

    audit_action = "withdrawal_fee"
    list_display = ("label", "banks", "currency", "fee_pln", "position")
    list_editable = ("fee_pln", "position")
    ordering = ("position", "id")


@admin.register(OperatorAccount)
class OperatorAccountAdmin(_AuditedAdmin):
    """DEP-1: one active account per currency is shown in deposit instructions."""

    audit_action = "operator_account"
    list_display = ("currency", "iban", "bic", "bank_name", "recipient_name", "is_active")
    list_filter = ("currency", "is_active")

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # statements and payouts refer to it: deactivate instead


@admin.register(CustomerHold)
class CustomerHoldAdmin(admin.ModelAdmin):
    """WD-2: placing a hold here calls the audited action; release is an action."""

    list_display = ("customer", "placed_at", "placed_by", "reason", "released_at")
    list_filter = (("released_at", admin.EmptyFieldListFilter),)
    search_fields = ("customer__email", "customer__last_name", "customer__company_name")
    autocomplete_fields = ("customer",)
    fields = ("customer", "reason")
    actions = ()

    def get_readonly_fields(self, request, obj=None):
        return ("customer", "reason") if obj is not None else ()

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None and request.user.has_perm("banking.place_hold")

    def has_add_permission(self, request) -> bool:
        return request.user.has_perm("banking.place_hold")

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_hold_permission(self, request) -> bool:
        return request.user.has_perm("banking.place_hold")

    def save_model(self, request, obj: CustomerHold, form, change: bool) -> None:
        held = actions.place_hold(obj.customer, acting_user=request.user, reason=obj.reason)
        obj.pk = held.pk

    def get_actions(self, request):
        found = super().get_actions(request)
        if self.has_hold_permission(request):
            found["release"] = (_release, "release", _("Release the hold"))
        return found


def _release(modeladmin, request, queryset):
    return confirm_with_reason(
        modeladmin,
        request,
        queryset.filter(released_at__isnull=True),
        title=str(_("Release holds")),
        apply=lambda hold, reason: actions.release_hold(
            hold.customer, acting_user=request.user, reason=reason
        ),
        errors=(BankingError,),
    )
