"""Back office for incoming transfers (DEP-2..6, BANK-2, AML-2, AML-4).

* **Review queue** — first transfers from an account and doubtful senders
  (DEP-3, DEP-5): *approve* books and verifies the account (BANK-2),
  *reject* refunds (DEP-4), *ask for an explanation* holds it (DEP-5).
* **Suspense queue** — transfers nobody could be found for (DEP-6):
  *assign to a customer* (identification then runs as usual) or *refund*.
* **Refunds** — each with its 14-business-day deadline (DEP-4); overdue ones
  are listed first and shown in red.
* **Deposits** (all), filterable by AML-2 flag; **bank entries** (unmatched
  outgoing ones can be booked as the bank's fee); **statement imports**.

Every decision asks for a reason and calls the audited action; nothing is
edited in place, nothing deleted. Payouts, batches, the fee table, the client
accounts and AML holds are in ``admin_payouts``.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from kantor.core.admin_tools import ReadOnlyModelAdmin, ViewOnlyObjectMixin, confirm_with_reason
from kantor.customers.errors import CustomerError
from kantor.customers.queries import get_customer

from . import actions
from .errors import BankingError
from .models import (
    BankEntry,
    Deposit,
    DepositForReview,
    DepositRefund,
    EntryKind,
    StatementImport,
    UnassignedDeposit,
)

_ERRORS = (BankingError, CustomerError)


def _decision(name: str, title: str, call):
    def action(modeladmin, request, queryset):
        return confirm_with_reason(
            modeladmin,
            request,
            queryset,
            title=str(title),
            apply=lambda deposit, reason: call(deposit, request.user, reason),
            errors=_ERRORS,
        )

    action.__name__ = name
    return action


approve = admin.action(
    description=_("Approve: the sender is the customer"), permissions=["review"]
)(
    _decision(
        "approve",
        _("Approve transfers"),
        lambda d, u, r: actions.approve_deposit(d, acting_user=u, reason=r),
    )
)
reject = admin.action(description=_("Reject: refund to the sender"), permissions=["review"])(
    _decision(
        "reject",
        _("Reject and refund"),
        lambda d, u, r: actions.reject_deposit(d, acting_user=u, reason=r),
    )
)
refund = admin.action(description=_("Refund to the sender"), permissions=["review"])(
    _decision(
        "refund",
        _("Refund transfers"),
        lambda d, u, r: actions.refund_deposit(d, acting_user=u, reason=r),
    )
)
explain = admin.action(description=_("Ask the customer to explain"), permissions=["review"])(
    _decision(
        "explain",
        _("Ask for an explanation"),
        lambda d, u, r: actions.request_explanation(d, acting_user=u, note=r),
    )
)


class AssignForm(forms.Form):
    customer = forms.CharField(label=_("Customer (e-mail, id or deposit title)"))
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


@admin.action(description=_("Assign to a customer"), permissions=["review"])
def assign(modeladmin, request, queryset):
    """DEP-6: an intermediate page asks for the customer and the reason."""
    form = AssignForm(request.POST if "apply" in request.POST else None)
    if "apply" in request.POST and form.is_valid():
        try:
            customer = get_customer(form.cleaned_data["customer"])
        except CustomerError as error:
            form.add_error("customer", str(error))
        else:
            for deposit in queryset.order_by("pk"):
                try:
                    done = actions.assign_deposit(
                        deposit,
                        customer,
                        acting_user=request.user,
                        reason=form.cleaned_data["reason"],
                    )
                except _ERRORS as error:
                    modeladmin.message_user(request, f"{deposit}: {error}", messages.ERROR)
                else:
                    modeladmin.message_user(
                        request, f"{done}: {done.get_status_display()}", messages.SUCCESS
                    )
            return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": _("Assign to a customer"),
        "opts": modeladmin.model._meta,
        "queryset": queryset,
        "action": request.POST.get("action", ""),
        "form": form,
    }
    return TemplateResponse(request, "admin/banking/assign_deposit.html", context)


class DepositAdmin(ViewOnlyObjectMixin, admin.ModelAdmin):
    list_display = (
        "id",
        "received_at",
        "amount",
        "sender",
        "title",
        "customer",
        "status",
        "review_reason",
        "aml",
        "deadline",
    )
    list_filter = ("status", "review_reason", "aml_flagged", "currency", "assigned_by")
    search_fields = (
        "entry__title",
        "entry__counterparty_name",
        "=entry__counterparty_account",
        "=entry__bank_reference",
        "customer__email",
        "customer__last_name",
        "customer__company_name",
    )
    list_select_related = ("entry", "customer")
    date_hierarchy = "received_at"
    readonly_fields = (
        "entry",
        "customer",
        "sender_account",
        "amount",
        "received_at",
        "status",
        "review_reason",
        "assigned_by",
        "titles",
        "match_decision",
        "match_reasons",
        "refund_deadline",
        "refund_overdue_at",
        "explanation_requested_at",
        "booked_at",
        "aml_flagged",
        "aml_eur_amount",
        "decided_at",
        "decided_by",
        "decision_reason",
        "claimed_by",
        "hook_error",
        "raw_entry",
    )
    fields = readonly_fields
    actions = ()

    def has_review_permission(self, request) -> bool:
        return request.user.has_perm("banking.review_deposit")

    @admin.display(description=_("amount"), ordering="amount_minor")
    def amount(self, obj: Deposit) -> str:
        return str(obj.money)

    @admin.display(description=_("sender"))
    def sender(self, obj: Deposit) -> str:
        return f"{obj.entry.counterparty_name} {obj.entry.counterparty_account}".strip()

    @admin.display(description=_("title"))
    def title(self, obj: Deposit) -> str:
        return obj.entry.title[:60]

    @admin.display(description=_("AML-2"), boolean=True, ordering="aml_flagged")
    def aml(self, obj: Deposit) -> bool:
        return obj.aml_flagged

    @admin.display(description=_("refund deadline"), ordering="refund_deadline")
    def deadline(self, obj: Deposit) -> str:
        """DEP-4: overdue refunds stand out."""
        if obj.refund_deadline is None:
            return ""
        text = timezone.localtime(obj.refund_deadline).strftime("%Y-%m-%d %H:%M")
        if obj.refund_is_overdue:
            return format_html('<strong style="color:#ba2121">{} — {}</strong>', text, _("overdue"))
        return text

    @admin.display(description=_("statement entry"))
    def raw_entry(self, obj: Deposit) -> str:
        return format_html("<pre>{}</pre>", obj.entry.raw)


admin.site.register(Deposit, DepositAdmin)


@admin.register(DepositForReview)
class ReviewQueueAdmin(DepositAdmin):
    """DEP-3, DEP-5: oldest first."""

    actions = (approve, reject, explain)
    ordering = ("received_at",)
    list_filter = ("review_reason", "aml_flagged", "currency")


@admin.register(UnassignedDeposit)
class SuspenseQueueAdmin(DepositAdmin):
    """DEP-6."""

    actions = (assign, refund)
    ordering = ("received_at",)
    list_filter = ("review_reason", "currency")


@admin.register(DepositRefund)
class RefundAdmin(DepositAdmin):
    """DEP-4: the nearest deadline first; a refund due again (its payout was
    rejected) can be sent again."""

    actions = (refund,)
    ordering = ("status", "refund_deadline")
    list_filter = ("status", "currency", ("refund_overdue_at", admin.EmptyFieldListFilter))


@admin.action(description=_("Book as the bank's fee"), permissions=["change"])
def book_fee(modeladmin, request, queryset):
    return confirm_with_reason(
        modeladmin,
        request,
        queryset.filter(kind=EntryKind.UNMATCHED_DEBIT, resolved_at__isnull=True),
        title=str(_("Book as bank fees")),
        apply=lambda entry, reason: actions.book_bank_fee(
            entry, acting_user=request.user, reason=reason
        ),
        errors=_ERRORS,
    )


@admin.register(BankEntry)
class BankEntryAdmin(ViewOnlyObjectMixin, admin.ModelAdmin):
    list_display = (
        "id",
        "booking_date",
        "account_iban",
        "direction",
        "money",
        "kind",
        "counterparty_name",
        "title",
        "resolved_at",
    )
    list_filter = ("kind", "direction", "currency", ("resolved_at", admin.EmptyFieldListFilter))
    search_fields = ("=bank_reference", "title", "counterparty_name", "=counterparty_account")
    readonly_fields = [f.name for f in BankEntry._meta.fields]
    fields = readonly_fields
    actions = (book_fee,)

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None:
            return False
        return request.user.has_perm("banking.manage_payouts")


@admin.register(StatementImport)
class StatementImportAdmin(ReadOnlyModelAdmin):
    list_display = ("id", "imported_at", "filename", "format", "imported_by", "counts")
    readonly_fields = (
        "filename",
        "format",
        "sha256",
        "size",
        "imported_at",
        "imported_by",
        "summary",
    )

    @admin.display(description=_("summary"))
    def counts(self, obj: StatementImport) -> str:
        s = obj.summary or {}
        keys = ("booked", "waiting_for_review", "unassigned", "refused", "duplicates")
        return ", ".join(f"{k} {s.get(k, 0)}" for k in keys)


# The payout side of the back office registers itself on import.
from . import admin_payouts  # noqa: E402, F401
