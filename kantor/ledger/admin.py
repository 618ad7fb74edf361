"""Back office: the ledger, read-only for everyone (MON-4, SEC-9).

Money moves only through postings made by actions (balanced, idempotent,
audited); no one — not even a superuser — adds, edits or deletes accounts,
transactions, legs or statement lines here. Amounts are shown as ``Money``.
"""

from __future__ import annotations

from django.contrib import admin

from kantor.core.admin_tools import ReadOnlyModelAdmin
from kantor.domain.money import Money

from .models import Account, HistoryItem, LedgerTransaction, Leg


@admin.register(Account)
class AccountAdmin(ReadOnlyModelAdmin):
    list_display = ("id", "kind", "currency", "customer", "balance_money", "created_at")
    list_filter = ("kind", "currency")
    search_fields = ("customer__email", "customer__last_name", "customer__company_name")
    list_select_related = ("customer",)
    fields = ("kind", "currency", "customer", "balance_money", "allow_negative", "created_at")
    readonly_fields = fields

    @admin.display(description="balance", ordering="balance_minor")
    def balance_money(self, obj: Account) -> str:
        return str(obj.balance)


class LegInline(admin.TabularInline):
    model = Leg
    fields = ("account", "amount_money", "operation")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="amount (Dr +, Cr −)")
    def amount_money(self, obj: Leg) -> str:
        return str(Money(obj.amount, obj.currency))


@admin.register(LedgerTransaction)
class LedgerTransactionAdmin(ReadOnlyModelAdmin):
    list_display = ("created_at", "kind", "description", "idempotency_key", "ordered_by")
    list_filter = ("kind",)
    search_fields = ("=id", "idempotency_key", "submit_id", "description")
    date_hierarchy = "created_at"
    show_full_result_count = False
    fields = (
        "id",
        "created_at",
        "kind",
        "description",
        "idempotency_key",
        "submit_id",
        "ordered_by",
        "created_by",
        "details",
    )
    readonly_fields = fields
    inlines = (LegInline,)


@admin.register(Leg)
class LegAdmin(ReadOnlyModelAdmin):
    list_display = ("id", "transaction", "account", "amount_money", "operation")
    list_filter = ("currency", "operation", "account__kind")
    search_fields = ("=transaction__id", "transaction__idempotency_key", "account__customer__email")
    list_select_related = ("transaction", "account", "account__customer")
    show_full_result_count = False
    fields = ("transaction", "account", "currency", "amount_money", "operation")
    readonly_fields = fields

    @admin.display(description="amount (Dr +, Cr −)", ordering="amount_minor")
    def amount_money(self, obj: Leg) -> str:
        return str(Money(obj.amount, obj.currency))


@admin.register(HistoryItem)
class HistoryItemAdmin(ReadOnlyModelAdmin):
    list_display = (
        "created_at",
        "customer",
        "operation_detailed_type",
        "amount_money",
        "balance_after_money",
    )
    list_filter = ("currency", "operation_type", "operation_detailed_type")
    search_fields = ("customer__email", "customer__deposit_title", "=transaction__id")
    list_select_related = ("customer",)
    date_hierarchy = "created_at"
    show_full_result_count = False
    fields = (
        "created_at",
        "customer",
        "transaction",
        "currency",
        "operation_type",
        "operation_detailed_type",
        "amount_money",
        "balance_after_money",
    )
    readonly_fields = fields

    @admin.display(description="amount", ordering="amount_minor")
    def amount_money(self, obj: HistoryItem) -> str:
        return str(obj.amount)

    @admin.display(description="balance after")
    def balance_after_money(self, obj: HistoryItem) -> str:
        return str(obj.balance_after)
