"""Back office: orders and trades, read-only; a staff cancel with a reason (MKT-9, TERM-3).

Orders and trades change only through the market's actions and its matcher;
the one staff decision here is cancelling an order's unfilled rest, which
asks for the reason, goes through ``actions.cancel_order`` and is audited.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from kantor.core.admin_tools import ReadOnlyModelAdmin, ViewOnlyObjectMixin, confirm_with_reason

from . import actions
from .errors import MarketError
from .models import Order, Trade


@admin.action(description=_("Cancel the unfilled rest (give a reason)"), permissions=["cancel"])
def cancel_orders(modeladmin, request, queryset):
    def apply(order: Order, reason: str):
        return actions.cancel_order(order, acting_user=request.user, reason=reason)

    return confirm_with_reason(
        modeladmin,
        request,
        queryset,
        title=str(_("Cancel orders")),
        apply=apply,
        errors=(MarketError,),
    )


@admin.register(Order)
class OrderAdmin(ViewOnlyObjectMixin, admin.ModelAdmin):
    list_display = (
        "order_id",
        "customer",
        "pair",
        "side",
        "volume",
        "limit_price",
        "status",
        "close_reason",
        "sold",
        "bought",
        "commission",
        "submitted_at",
    )
    list_filter = ("status", "pair", "side", "close_reason")
    search_fields = ("=order_id", "customer__email", "submit_id")
    list_select_related = ("customer",)
    date_hierarchy = "submitted_at"
    show_full_result_count = False
    actions = (cancel_orders,)
    readonly_fields = [f.name for f in Order._meta.fields]

    def has_cancel_permission(self, request) -> bool:
        return request.user.has_perm("market.cancel_order")


@admin.register(Trade)
class TradeAdmin(ReadOnlyModelAdmin):
    list_display = (
        "created_at",
        "pair",
        "seq",
        "n",
        "taker_side",
        "price",
        "base_minor",
        "quote_paid_minor",
        "quote_received_minor",
        "transaction_id",
    )
    list_filter = ("pair", "taker_side")
    search_fields = ("=transaction_id",)
    date_hierarchy = "created_at"
    show_full_result_count = False
    readonly_fields = [f.name for f in Trade._meta.fields]
