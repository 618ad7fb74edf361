"""Reads of customers, bank accounts and API keys (for the CLI, the back office, the panel)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from kantor.domain import titles
from kantor.ledger.queries import customer_balances

from .errors import ErrorCode, NotFound
from .models import ApiKey, BankAccount, Customer


def duplicate_exists(
    *, email: str = "", pesel: str = "", nip: str = "", exclude: Customer | None = None
) -> bool:
    """REG-9: is there already an account with this e-mail (any case, also a
    staff login), PESEL or NIP? ``exclude`` is the customer being changed."""
    match = Q(email__iexact=email) if email else Q()
    if pesel:
        match |= Q(pesel=pesel)
    if nip:
        match |= Q(nip=nip)
    if not match:
        return False
    customers = Customer.objects.filter(match)
    if exclude is not None:
        customers = customers.exclude(pk=exclude.pk)
    if customers.exists():
        return True
    if not email:
        return False
    users = get_user_model().objects.filter(Q(username__iexact=email) | Q(email__iexact=email))
    if exclude is not None:
        users = users.exclude(pk=exclude.user_id)
    return users.exists()


def get_customer(ref: str | int) -> Customer:
    """A customer by e-mail (any case), id, or deposit title (any grouping)."""
    text = str(ref).strip()
    customers = Customer.objects.all()
    if text.isdigit():
        customer = customers.filter(pk=int(text)).first()
    elif "@" in text:
        customer = customers.filter(email__iexact=text).first()
    else:
        title = titles.normalise(text) if titles.is_valid(text) else text.upper()
        customer = customers.filter(deposit_title=title).first()
    if customer is None:
        raise NotFound(_("no customer %(ref)s") % {"ref": text}, field="customer")
    return customer


def search_customers(
    *, kind: str | None = None, status: str | None = None, search: str | None = None
) -> QuerySet[Customer]:
    customers = Customer.objects.order_by("id")
    if kind:
        customers = customers.filter(kind=kind)
    if status:
        customers = customers.filter(status=status)
    if search:
        term = search.strip()
        customers = customers.filter(
            Q(email__icontains=term)
            | Q(last_name__icontains=term)
            | Q(first_name__icontains=term)
            | Q(company_name__icontains=term)
            | Q(pesel=term)
            | Q(nip=term)
            | Q(deposit_title__iexact=term)
        )
    return customers


def get_api_key(ref: str | int, *, customer: Customer | None = None) -> ApiKey:
    """An API key by id or by its prefix (refused when the prefix is ambiguous)."""
    text = str(ref).strip()
    keys = ApiKey.objects.all() if customer is None else customer.api_keys.all()
    if text.isdigit() and keys.filter(pk=int(text)).exists():
        return keys.get(pk=int(text))
    matches = list(keys.filter(prefix__startswith=text)[:2]) if len(text) >= 4 else []
    if not matches:
        raise NotFound(_("no API key %(ref)s") % {"ref": text}, field="key")
    if len(matches) > 1:
        raise NotFound(
            _("more than one API key starts with %(ref)s; give more characters or the id")
            % {"ref": text},
            code=ErrorCode.AMBIGUOUS,
            field="key",
        )
    return matches[0]


def bank_account_summary(account: BankAccount) -> dict[str, Any]:
    return {
        "id": account.pk,
        "iban": account.iban,
        "currency": account.currency,
        "holder_name": account.holder_name,
        "bank_name": account.bank_name,
        "bic": account.bic,
        "verified": account.verified,
        "active": account.is_active,
    }


def api_key_summary(api_key: ApiKey) -> dict[str, Any]:
    return {
        "id": api_key.pk,
        "prefix": api_key.prefix,
        "name": api_key.name,
        "roles": list(api_key.roles),
        "created_at": api_key.created_at,
        "revoked_at": api_key.revoked_at,
        "active": api_key.is_active,
        "last_used_at": api_key.last_used_at,
    }


def customer_summary(customer: Customer, *, details: bool = False) -> dict[str, Any]:
    """A customer as JSON-ready data; ``details`` adds KYC data, balances and accounts."""
    summary: dict[str, Any] = {
        "id": customer.pk,
        "kind": customer.kind,
        "status": customer.status,
        "name": customer.display_name,
        "email": customer.email,
        "phone": customer.phone,
        "deposit_title": customer.deposit_title,
        "created_at": customer.created_at,
        "verified_at": customer.verified_at,
    }
    if not details:
        return summary
    if customer.kind == "individual":
        summary.update(
            first_name=customer.first_name,
            last_name=customer.last_name,
            pesel=customer.pesel,
            birth_date=customer.birth_date,
            id_document={
                "type": customer.id_document_type,
                "number": customer.id_document_number,
                "issued": customer.id_document_issued,
                "expires": customer.id_document_expires,
            },
        )
    else:
        summary.update(
            company_name=customer.company_name,
            nip=customer.nip,
            regon=customer.regon,
            legal_form=customer.legal_form,
            representative_name=customer.representative_name,
        )
    summary["address"] = {
        "street": customer.street,
        "postal_code": customer.postal_code,
        "city": customer.city,
        "country": customer.country,
    }
    if customer.corr_street:
        summary["correspondence_address"] = {
            "street": customer.corr_street,
            "postal_code": customer.corr_postal_code,
            "city": customer.corr_city,
            "country": customer.corr_country,
        }
    summary["balances"] = [
        {
            "currency": b.currency,
            "available": str(b.available.amount),
            "reserved": str(b.reserved.amount),
            "total": str(b.total.amount),
        }
        for b in customer_balances(customer)
    ]
    summary["bank_accounts"] = [
        bank_account_summary(a) for a in customer.bank_accounts.order_by("id")
    ]
    summary["api_keys"] = [api_key_summary(k) for k in customer.api_keys.order_by("id")]
    return summary
