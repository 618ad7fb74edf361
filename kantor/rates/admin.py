"""Back office for rates (RATE-1): pairs and margins are the operator's to edit;
mid history and published rates are records, shown read-only.

Every save goes through an audited action (SEC-9): ``save_pair``,
``save_margin``, ``delete_margin``.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from kantor.core.admin_tools import ReadOnlyModelAdmin
from kantor.core.audit import audit_context

from . import actions
from .models import Margin, MidRate, OfferedPair, PublishedRate


class MarginInline(admin.TabularInline):
    model = Margin
    extra = 0
    fields = ("segment", "bid_margin", "ask_margin", "updated_at", "updated_by")
    readonly_fields = ("updated_at", "updated_by")


@admin.register(OfferedPair)
class OfferedPairAdmin(admin.ModelAdmin):
    list_display = ("code", "base", "quote", "rate_decimals", "enabled", "display_order")
    list_editable = ("enabled", "display_order")
    list_filter = ("enabled",)
    search_fields = ("code",)
    inlines = [MarginInline]

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> tuple[str, ...]:
        """A pair's currencies are fixed once created: its history belongs to them."""
        return ("base", "quote") if obj is not None else ()

    def save_model(self, request: HttpRequest, obj: OfferedPair, form, change) -> None:
        with audit_context(via="admin"):
            actions.save_pair(obj, acting_user=request.user)

    def save_formset(self, request: HttpRequest, form, formset, change) -> None:
        with audit_context(via="admin"):
            for margin in formset.save(commit=False):
                actions.save_margin(margin, acting_user=request.user)
            for margin in formset.deleted_objects:
                actions.delete_margin(margin, acting_user=request.user)


@admin.register(Margin)
class MarginAdmin(admin.ModelAdmin):
    list_display = ("pair", "segment", "bid_margin", "ask_margin", "updated_at", "updated_by")
    list_editable = ("bid_margin", "ask_margin")
    list_filter = ("segment", "pair")
    readonly_fields = ("updated_at", "updated_by")

    def save_model(self, request: HttpRequest, obj: Margin, form, change) -> None:
        with audit_context(via="admin"):
            actions.save_margin(obj, acting_user=request.user)

    def delete_model(self, request: HttpRequest, obj: Margin) -> None:
        with audit_context(via="admin"):
            actions.delete_margin(obj, acting_user=request.user)

    def delete_queryset(self, request: HttpRequest, queryset) -> None:
        for margin in queryset:
            self.delete_model(request, margin)


@admin.register(MidRate)
class MidRateAdmin(ReadOnlyModelAdmin):
    """RATE-1: the mid history, append-only."""

    list_display = ("pair", "ts", "mid", "source", "reference")
    list_filter = ("source", "pair")
    date_hierarchy = "ts"
    list_select_related = ("pair",)
    show_full_result_count = False


@admin.register(PublishedRate)
class PublishedRateAdmin(ReadOnlyModelAdmin):
    """RATE-1: what the operator quoted, and from which mid and margins."""

    list_display = ("pair", "segment", "ts", "mid", "bid", "ask", "mid_source")
    list_filter = ("segment", "pair")
    date_hierarchy = "ts"
    list_select_related = ("pair",)
    show_full_result_count = False
