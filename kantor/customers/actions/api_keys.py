"""API-key actions (API-2)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kantor.api import keys as api_keys
from kantor.core import audit

from ..errors import CustomerError, ErrorCode, InvalidField
from ..models import ApiKey, Customer
from ..validation_banking import clean_public_key, clean_roles
from ._common import collect, require_in_service


@transaction.atomic
def create_api_key(
    customer: Customer,
    *,
    public_key_pem: str,
    roles: str | Iterable[str],
    name: str = "",
    acting_user=None,
) -> tuple[ApiKey, str]:
    """API-2: a new key with roles and the customer's RSA public key.

    Returns the key row and the key itself — shown once here; afterwards the
    customer sees it again only after an SMS code (decrypted from the row).
    """
    name = " ".join(str(name or "").split())
    pem, role_list, _ok = collect(
        lambda: clean_public_key(public_key_pem),
        lambda: clean_roles(roles),
        lambda: _check_key_name(name),
    )
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    require_in_service(customer)
    material = api_keys.new_key_material()
    api_key = ApiKey.objects.create(
        customer=customer,
        name=name,
        prefix=material.prefix,
        key_hash=material.key_hash,
        key_encrypted=material.key_encrypted,
        public_key_pem=pem,
        roles=role_list,
    )
    audit.record(
        "api_key.created",
        acting_user=acting_user,
        obj=api_key,
        details={"customer_id": customer.pk, "prefix": material.prefix, "roles": role_list},
    )
    return api_key, material.key


def _check_key_name(name: str) -> str:
    if len(name) > 100:
        raise InvalidField("name", ErrorCode.INVALID_DATA, _("at most 100 characters"))
    return name


@transaction.atomic
def revoke_api_key(api_key: ApiKey, *, acting_user=None, reason: str = "") -> ApiKey:
    """API-2: the key stops working at once; the row stays for the history's ``orderedBy``."""
    api_key = ApiKey.objects.select_for_update().get(pk=api_key.pk)
    if api_key.revoked_at is not None:
        raise CustomerError(_("this API key is already revoked"), code=ErrorCode.ALREADY_DONE)
    api_key.revoked_at = timezone.now()
    api_key.save(update_fields=["revoked_at"])
    audit.record(
        "api_key.revoked",
        acting_user=acting_user,
        obj=api_key,
        details={"customer_id": api_key.customer_id, "prefix": api_key.prefix, "reason": reason},
    )
    return api_key
