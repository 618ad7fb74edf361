"""Back office for customers, bank accounts and API keys (REG-10, REG-12, AML-4, SEC-9).

Staff never edit money or status fields: balances are shown read-only from
the ledger, status changes and revocations are admin actions that ask for a
reason and call the audited actions, and an edit of a customer's data goes
through ``update_customer`` (validated, old and new values audited).
Staff with ``add_customer`` create customers here (the same audited
``create_customer`` as ``kantor customer create``, validated by the same
rules); bank accounts and API keys need the customer's confirmation (SEC-3,
API-2), so they are not added here; nothing is deleted (AML retention).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from kantor.core.admin_tools import ViewOnlyObjectMixin, confirm_with_reason
from kantor.ledger.queries import customer_balances

from . import actions
from .errors import CustomerError, DuplicateCustomer, InvalidData
from .models import ApiKey, BankAccount, Customer, CustomerKind, CustomerStatus
from .queries import duplicate_exists
from .validation import clean_customer, fields_for

#: Shown, never edited here: identity of the row, money, status and decisions.
CUSTOMER_READ_ONLY = (
    "user",
    "kind",
    "status",
    "deposit_title",
    "birth_date",
    "fee_discount",
    "segment",
    "is_pep",
    "created_at",
    "verified_at",
    "balances",
)


FIELDSETS_BY_KIND = {
    CustomerKind.INDIVIDUAL: (
        _("Person (REG-2)"),
        {
            "fields": (
                ("first_name", "last_name"),
                ("pesel", "birth_date"),
                "id_document_type",
                "id_document_number",
                ("id_document_issued", "id_document_expires"),
            )
        },
    ),
    CustomerKind.COMPANY: (
        _("Company (REG-3)"),
        {
            "fields": (
                "company_name",
                ("nip", "regon"),
                "legal_form",
                "representative_name",
            )
        },
    ),
}
COMMON_FIELDSETS = (
    (_("Contact"), {"fields": ("email", "phone")}),
    (_("Address"), {"fields": ("street", ("postal_code", "city"), "country")}),
    (
        _("Correspondence address"),
        {"fields": ("corr_street", ("corr_postal_code", "corr_city"), "corr_country")},
    ),
    (
        _("Account"),
        {
            "fields": (
                ("kind", "status"),
                "deposit_title",
                ("created_at", "verified_at"),
                ("is_pep", "segment", "fee_discount"),
                "user",
                "balances",
            )
        },
    ),
)


#: Creating a customer: the kind, then the data of that kind (the other
#: kind's section is left empty), then contact and addresses.
ADD_FIELDSETS = (
    (_("Kind (REG-1)"), {"fields": ("kind", "verified")}),
    (
        FIELDSETS_BY_KIND[CustomerKind.INDIVIDUAL][0],
        {
            "fields": (
                ("first_name", "last_name"),
                "pesel",
                "id_document_type",
                "id_document_number",
                ("id_document_issued", "id_document_expires"),
            )
        },
    ),
    FIELDSETS_BY_KIND[CustomerKind.COMPANY],
    COMMON_FIELDSETS[0],
    COMMON_FIELDSETS[1],
    COMMON_FIELDSETS[2],
)


class CustomerAdminForm(forms.ModelForm):
    """Validates a change with the same rules as registration (REG-2, REG-3)."""

    class Meta:
        model = Customer
        fields = sorted(fields_for(CustomerKind.INDIVIDUAL) | fields_for(CustomerKind.COMPANY))

    def clean(self):
        cleaned = super().clean()
        changed = set(self.changed_data)
        if not changed or self.instance.pk is None:
            return cleaned
        merged = {f: getattr(self.instance, f) for f in self.fields} | {
            f: cleaned.get(f) for f in changed
        }
        try:
            clean = clean_customer(
                merged, today=timezone.localdate(), kind=self.instance.kind, only=changed
            )
        except InvalidData as error:
            for item in error.errors:
                field = item.field if item.field in self.fields else None
                self.add_error(field, str(item.message))
            return cleaned
        identity = {f: clean[f] for f in ("email", "pesel", "nip") if f in changed and f in clean}
        if identity and duplicate_exists(**identity, exclude=self.instance):
            self.add_error(next(iter(identity)), str(DuplicateCustomer().message))
        return cleaned


class CustomerAddForm(forms.ModelForm):
    """A new customer entered by staff, checked like a registration (REG-1..3, REG-9)."""

    verified = forms.BooleanField(
        required=False,
        label=_("documents verified"),
        help_text=_("Staff checked the identity documents: the customer starts as verified."),
    )

    class Meta:
        model = Customer
        fields = [
            "kind",
            *sorted(fields_for(CustomerKind.INDIVIDUAL) | fields_for(CustomerKind.COMPANY)),
        ]

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if not kind:
            return cleaned
        data = {f: cleaned.get(f) for f in fields_for(kind)}
        try:
            clean = clean_customer(data, today=timezone.localdate(), kind=kind)
        except InvalidData as error:
            for item in error.errors:
                self.add_error(item.field if item.field in self.fields else None, str(item.message))
            return cleaned
        identity = {f: clean[f] for f in ("email", "pesel", "nip") if clean.get(f)}
        if duplicate_exists(**identity):
            self.add_error(None, str(DuplicateCustomer().message))
        self.customer_data = {"kind": kind, **data}
        return cleaned

    def _post_clean(self):
        """The model's own checks need a user and a deposit title the action creates."""


class BankAccountInline(admin.TabularInline):
    model = BankAccount
    fields = ("iban", "currency", "holder_name", "bank_name", "verified_at", "is_active")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class ApiKeyInline(admin.TabularInline):
    model = ApiKey
    fields = ("prefix", "name", "roles", "created_at", "revoked_at", "last_used_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


def _status_action(target: str | None, title: str):
    """An admin action applying a status decision (``None``: reactivate) with a reason."""

    def action(modeladmin, request, queryset):
        def apply(customer: Customer, reason: str):
            if target is None:
                return actions.reactivate_customer(
                    customer, acting_user=request.user, reason=reason
                )
            return actions.set_customer_status(
                customer, target, acting_user=request.user, reason=reason
            )

        return confirm_with_reason(
            modeladmin, request, queryset, title=str(title), apply=apply, errors=(CustomerError,)
        )

    action.__name__ = f"status_{target or 'reactivate'}"
    return admin.action(description=title, permissions=["set_status"])(action)


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    form = CustomerAdminForm
    list_display = ("id", "display_name", "email", "kind", "status", "deposit_title", "created_at")
    list_filter = ("kind", "status", "is_pep")
    search_fields = (
        "email",
        "first_name",
        "last_name",
        "company_name",
        "=pesel",
        "=nip",
        "=regon",
        "=deposit_title",
    )
    readonly_fields = CUSTOMER_READ_ONLY
    inlines = (BankAccountInline, ApiKeyInline)
    show_full_result_count = False
    actions = (
        _status_action(CustomerStatus.VERIFIED, _("Verify (documents checked)")),
        _status_action(CustomerStatus.SUSPENDED, _("Suspend")),
        _status_action(None, _("Reactivate")),
        _status_action(CustomerStatus.TERMINATED, _("Terminate")),
    )

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return ADD_FIELDSETS
        return (FIELDSETS_BY_KIND[obj.kind], *COMMON_FIELDSETS)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = CustomerAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else CUSTOMER_READ_ONLY

    def get_inlines(self, request, obj):
        return () if obj is None else self.inlines

    def has_add_permission(self, request) -> bool:
        return request.user.has_perm("customers.add_customer")

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_set_status_permission(self, request) -> bool:
        return request.user.has_perm("customers.set_customer_status")

    @admin.display(description=_("balances"))
    def balances(self, obj: Customer) -> str:
        rows = [(b.currency, str(b.available), str(b.reserved)) for b in customer_balances(obj)]
        if not rows:
            return "—"
        return format_html(
            "<table><tr><th>{}</th><th>{}</th><th>{}</th></tr>{}</table>",
            _("currency"),
            _("available"),
            _("reserved"),
            format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td></tr>", rows),
        )

    def save_model(self, request, obj: Customer, form, change: bool) -> None:
        """REG-10: the change goes through the audited action, never a plain save."""
        if not change:
            created = actions.create_customer(
                form.customer_data,
                acting_user=request.user,
                verified=form.cleaned_data.get("verified", False),
            )
            for field in Customer._meta.concrete_fields:  # the admin goes on with ``obj``
                setattr(obj, field.attname, getattr(created, field.attname))
            obj._state.adding = False
            return
        changes = {f: form.cleaned_data[f] for f in form.changed_data}
        if changes:
            actions.update_customer(
                Customer.objects.get(pk=obj.pk), changes, acting_user=request.user
            )
            obj.refresh_from_db()


def deactivate_accounts(modeladmin, request, queryset):
    return confirm_with_reason(
        modeladmin,
        request,
        queryset,
        title=str(_("Deactivate bank accounts")),
        apply=lambda account, reason: actions.deactivate_bank_account(
            account, acting_user=request.user, reason=reason
        ),
        errors=(CustomerError,),
    )


@admin.register(BankAccount)
class BankAccountAdmin(ViewOnlyObjectMixin, admin.ModelAdmin):
    list_display = (
        "iban",
        "currency",
        "customer",
        "holder_name",
        "bank_name",
        "verified",
        "is_active",
    )
    list_filter = ("currency", "is_active", ("verified_at", admin.EmptyFieldListFilter))
    search_fields = (
        "=iban",
        "holder_name",
        "customer__email",
        "customer__last_name",
        "customer__company_name",
    )
    list_select_related = ("customer",)
    readonly_fields = (
        "customer",
        "iban",
        "currency",
        "holder_name",
        "bic",
        "bank_code",
        "bank_name",
        "verified_at",
        "is_active",
        "created_at",
    )
    fields = readonly_fields
    actions = (
        admin.action(description=_("Deactivate"), permissions=["change"])(deactivate_accounts),
    )

    @admin.display(boolean=True, description=_("verified"))
    def verified(self, obj: BankAccount) -> bool:
        return obj.verified


def revoke_keys(modeladmin, request, queryset):
    return confirm_with_reason(
        modeladmin,
        request,
        queryset,
        title=str(_("Revoke API keys")),
        apply=lambda key, reason: actions.revoke_api_key(
            key, acting_user=request.user, reason=reason
        ),
        errors=(CustomerError,),
    )


@admin.register(ApiKey)
class ApiKeyAdmin(ViewOnlyObjectMixin, admin.ModelAdmin):
    list_display = (
        "prefix",
        "customer",
        "name",
        "roles",
        "created_at",
        "revoked_at",
        "last_used_at",
    )
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    search_fields = ("prefix", "name", "customer__email")
    list_select_related = ("customer",)
    #: The hash and the encrypted key are never shown, not even to staff.
    readonly_fields = (
        "customer",
        "prefix",
        "name",
        "roles",
        "public_key",
        "created_at",
        "revoked_at",
        "last_used_at",
    )
    fields = readonly_fields
    actions = (admin.action(description=_("Revoke"), permissions=["revoke"])(revoke_keys),)

    def has_revoke_permission(self, request) -> bool:
        return request.user.has_perm("customers.revoke_apikey")

    @admin.display(description=_("public key"))
    def public_key(self, obj: ApiKey) -> str:
        return format_html("<pre>{}</pre>", obj.public_key_pem)
