"""Back office for exchanges with the operator (FX-1, FX-2, LOCK-1..15).

* Exchanges, payments and exchange-on-deposit orders are records: read-only.
* Rate-locked orders show their terms and deadline (Warsaw time); staff waive
  the LOCK-11 damages of a cancelled order with a reason (audited, permission
  ``exchange.waive_damages``).
* Agreements: staff end one (LOCK-1, "not paid in time" …) or lift the refusal
  of a new one, with a reason (audited).
* The treasury page: the operator's net open position per currency.
"""

from __future__ import annotations

from django.contrib import admin
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from kantor.core.admin_tools import ReadOnlyModelAdmin, ViewOnlyObjectMixin, confirm_with_reason
from kantor.core.audit import audit_context

from . import actions
from .errors import ExchangeError
from .models import (
    DepositOrder,
    Exchange,
    RateLockAgreement,
    RateLockOrder,
    RateLockPayment,
    TreasuryPosition,
)
from .treasury import treasury_position


@admin.register(Exchange)
class ExchangeAdmin(ReadOnlyModelAdmin):
    list_display = ("created_at", "customer", "source", "pair", "side", "rate", "sold", "bought")
    list_filter = ("source", "pair", "side")
    search_fields = ("=id", "customer__email", "=submit_id")
    date_hierarchy = "created_at"
    show_full_result_count = False


class PaymentInline(admin.TabularInline):
    model = RateLockPayment
    fk_name = "order"
    fields = ("deposit_id", "amount", "booked_at", "reason", "note")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.action(description=_("Waive the damages (LOCK-11)"), permissions=["waive"])
def waive(modeladmin, request, queryset):
    def apply(order: RateLockOrder, reason: str):
        with audit_context(via="admin"):
            return actions.waive_damages(order, reason=reason, acting_user=request.user)

    return confirm_with_reason(
        modeladmin,
        request,
        queryset,
        title=str(_("Waive the damages")),
        apply=apply,
        errors=(ExchangeError,),
    )


@admin.register(RateLockOrder)
class RateLockOrderAdmin(ViewOnlyObjectMixin, admin.ModelAdmin):
    list_display = (
        "title",
        "customer",
        "side",
        "pair",
        "amount",
        "rate",
        "amount_due",
        "status",
        "placed_at",
        "deadline",
        "damages",
        "damages_owed",
    )
    list_filter = ("status", "cancel_reason", "pair")
    search_fields = ("=title", "customer__email", "=id")
    date_hierarchy = "deadline"
    inlines = (PaymentInline,)
    actions = (waive,)
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_waive_permission(self, request) -> bool:
        return request.user.has_perm("exchange.waive_damages")


def _end_agreements(modeladmin, request, queryset):
    def apply(agreement: RateLockAgreement, reason: str):
        with audit_context(via="admin"):
            return actions.end_agreement_by_operator(
                agreement.customer, reason=reason, acting_user=request.user
            )

    return confirm_with_reason(
        modeladmin,
        request,
        queryset,
        title=str(_("End the agreement and refuse a new one")),
        apply=apply,
        errors=(ExchangeError,),
    )


def _allow_new(modeladmin, request, queryset):
    def apply(agreement: RateLockAgreement, reason: str):
        with audit_context(via="admin"):
            return actions.allow_new_agreement(
                agreement.customer, reason=reason, acting_user=request.user
            )

    return confirm_with_reason(
        modeladmin,
        request,
        queryset,
        title=str(_("Allow a new agreement")),
        apply=apply,
        errors=(ExchangeError,),
    )


@admin.register(RateLockAgreement)
class RateLockAgreementAdmin(ViewOnlyObjectMixin, admin.ModelAdmin):
    list_display = ("customer", "status", "concluded_at", "ended_at", "end_reason", "refuse_new")
    list_filter = ("status", "refuse_new")
    search_fields = ("customer__email",)
    readonly_fields = ("customer", "status", "concluded_at", "ended_at", "end_reason", "refuse_new")
    actions = (
        admin.action(description=_("End (LOCK-1), refusing a new one"))(_end_agreements),
        admin.action(description=_("Allow a new agreement"))(_allow_new),
    )


@admin.register(DepositOrder)
class DepositOrderAdmin(ReadOnlyModelAdmin):
    list_display = ("title", "customer", "venue", "side", "pair", "volume", "status", "created_at")
    list_filter = ("status", "venue", "pair")
    search_fields = ("=title", "customer__email", "=id")
    show_full_result_count = False


@admin.register(TreasuryPosition)
class TreasuryAdmin(ReadOnlyModelAdmin):
    """The treasury page in place of a list: what the operator should hedge."""

    def changelist_view(self, request, extra_context=None):
        context = {
            **self.admin_site.each_context(request),
            "title": _("Treasury position"),
            "opts": self.model._meta,
            "book": treasury_position(),
        }
        return TemplateResponse(request, "admin/exchange/treasury.html", context)
