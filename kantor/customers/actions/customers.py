"""Customer actions: registration (REG-1..3, REG-9), data changes (REG-10),
status decisions (REG-12, TERM-1..4, AML-3/4)."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kantor.core import audit
from kantor.domain.titles import RandomSource, TitlePurpose, generate_title

from ..errors import (
    CustomerError,
    DuplicateCustomer,
    ErrorCode,
    InvalidData,
    InvalidField,
    StatusError,
)
from ..models import Customer, CustomerStatus
from ..queries import duplicate_exists
from ..signals import customer_status_changed
from ..validation import clean_customer, fields_for
from ._common import clean_reason, is_staff

#: REG-10: identity data that only staff (support) may change; the customer
#: changes the rest (contact data) alone.
STAFF_ONLY_FIELDS = frozenset(
    {
        "first_name",
        "last_name",
        "pesel",
        "id_document_type",
        "id_document_number",
        "id_document_issued",
        "id_document_expires",
        "company_name",
        "nip",
        "regon",
        "legal_form",
        "representative_name",
    }
)

#: Allowed status changes. TERMINATED is final (TERM-4: registering again
#: needs the operator's consent, i.e. a new account created by staff).
TRANSITIONS: dict[str, frozenset[str]] = {
    CustomerStatus.ACTIVE: frozenset(
        {CustomerStatus.VERIFIED, CustomerStatus.SUSPENDED, CustomerStatus.TERMINATED}
    ),
    CustomerStatus.VERIFIED: frozenset({CustomerStatus.SUSPENDED, CustomerStatus.TERMINATED}),
    CustomerStatus.SUSPENDED: frozenset(
        {CustomerStatus.ACTIVE, CustomerStatus.VERIFIED, CustomerStatus.TERMINATED}
    ),
    CustomerStatus.TERMINATED: frozenset(),
}

_TITLE_ATTEMPTS = 8


def _refuse_duplicates(*, email: str = "", pesel: str = "", nip: str = "", exclude=None) -> None:
    """REG-9 (and TERM-4, since a terminated customer's data stays): refuse
    with one generic message that never says which data matched."""
    if duplicate_exists(email=email, pesel=pesel, nip=nip, exclude=exclude):
        raise DuplicateCustomer()


def _check_password(password: str | None, email: str) -> None:
    if password is None:
        return
    try:
        password_validation.validate_password(
            password, get_user_model()(username=email, email=email)
        )
    except ValidationError as error:
        raise InvalidData(
            [InvalidField("password", ErrorCode.INVALID_PASSWORD, " ".join(error.messages))]
        ) from None


@transaction.atomic
def create_customer(
    data: Mapping[str, Any],
    *,
    acting_user=None,
    verified: bool = False,
    rng: RandomSource | None = None,
) -> Customer:
    """REG-1..3, REG-9, DEP-1: register a customer with a user and a deposit title.

    ``data`` holds the model's field names plus ``kind`` and an optional
    ``password`` (without one the user gets an unusable password and sets it
    through the reset flow). ``verified`` marks staff-verified documents.
    """
    clean = clean_customer(data, today=timezone.localdate())
    password = data.get("password") or None
    _check_password(password, clean["email"])
    _refuse_duplicates(email=clean["email"], pesel=clean.get("pesel", ""), nip=clean.get("nip", ""))
    kind = str(data["kind"]).strip().lower()
    now = timezone.now()
    status = CustomerStatus.VERIFIED if verified else CustomerStatus.ACTIVE
    rng = rng or secrets.SystemRandom()
    last_error: IntegrityError | None = None
    for _attempt in range(_TITLE_ATTEMPTS):
        title = generate_title(TitlePurpose.DEPOSIT, rng)
        if Customer.objects.filter(deposit_title=title).exists():
            continue
        try:
            with transaction.atomic():
                user = get_user_model().objects.create_user(
                    username=clean["email"],
                    email=clean["email"],
                    password=password,
                    first_name=clean.get("first_name", "")[:150],
                    last_name=clean.get("last_name", "")[:150],
                )
                customer = Customer.objects.create(
                    user=user,
                    kind=kind,
                    status=status,
                    verified_at=now if verified else None,
                    deposit_title=title,
                    **clean,
                )
        except IntegrityError as error:
            # A concurrent registration with the same data won (REG-9), or —
            # rarely — the title was taken meanwhile: then try another one.
            _refuse_duplicates(
                email=clean["email"], pesel=clean.get("pesel", ""), nip=clean.get("nip", "")
            )
            last_error = error
            continue
        audit.record(
            "customer.created",
            acting_user=acting_user,
            obj=customer,
            details={"kind": kind, "status": status, "deposit_title": title},
        )
        return customer
    if last_error is not None:
        raise last_error
    raise RuntimeError("no free deposit title after several attempts")  # 31**8 titles: never


@transaction.atomic
def update_customer(
    customer: Customer, changes: Mapping[str, Any], *, acting_user=None
) -> Customer:
    """REG-10: change a customer's data; identity data only by staff.

    Only the groups of fields touched are validated; the audit row keeps the
    old and the new value of each changed field.
    """
    kind = customer.kind
    if "kind" in changes and str(changes["kind"]).lower() != kind:
        raise CustomerError(
            _("the kind of customer cannot be changed"),
            code=ErrorCode.PROTECTED_FIELD,
            field="kind",
        )
    changes = {k: v for k, v in changes.items() if k != "kind"}
    unknown = sorted(set(changes) - fields_for(kind))
    if unknown:
        raise InvalidData(
            InvalidField(f, ErrorCode.UNKNOWN_FIELD, _("this field cannot be changed here"))
            for f in unknown
        )
    protected = sorted(set(changes) & STAFF_ONLY_FIELDS)
    if protected and not is_staff(acting_user):
        raise CustomerError(
            _("this can be changed only by our support team"),
            code=ErrorCode.PROTECTED_FIELD,
            field=protected[0],
        )
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    merged = {f: getattr(customer, f) for f in fields_for(kind)} | dict(changes)
    clean = clean_customer(merged, today=timezone.localdate(), kind=kind, only=changes)
    diff = {f: (getattr(customer, f), v) for f, v in clean.items() if getattr(customer, f) != v}
    if not diff:
        return customer
    if diff.keys() & {"email", "pesel", "nip"}:
        _refuse_duplicates(
            email=clean.get("email", "") if "email" in diff else "",
            pesel=clean.get("pesel", "") if "pesel" in diff else "",
            nip=clean.get("nip", "") if "nip" in diff else "",
            exclude=customer,
        )
    for field, (_old, new) in diff.items():
        setattr(customer, field, new)
    customer.save(update_fields=list(diff))
    user_fields = {
        "email": ("username", "email"),
        "first_name": ("first_name",),
        "last_name": ("last_name",),
    }
    user_updates = [uf for f in diff if f in user_fields for uf in user_fields[f]]
    if user_updates:
        user = customer.user
        for f in diff:
            for uf in user_fields.get(f, ()):
                setattr(user, uf, str(getattr(customer, f))[:150])
        user.save(update_fields=user_updates)
    audit.record(
        "customer.updated",
        acting_user=acting_user,
        obj=customer,
        details={"changes": {f: [old, new] for f, (old, new) in diff.items()}},
    )
    return customer


@transaction.atomic
def set_customer_status(customer: Customer, status: str, *, acting_user, reason: str) -> Customer:
    """Verify, suspend (REG-12, TERM-2, AML-3), reactivate or terminate (TERM-1..4).

    Every change needs a reason and is audited (AML-4); listeners of
    ``customer_status_changed`` run after commit (e.g. TERM-3 cancels orders).
    """
    reason = clean_reason(reason)
    if status not in CustomerStatus.values:
        raise StatusError(
            _("unknown status %(status)s; use one of: %(statuses)s")
            % {"status": status, "statuses": ", ".join(CustomerStatus.values)},
            field="status",
        )
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    old = customer.status
    if status == old:
        raise StatusError(
            _("the customer is already %(status)s") % {"status": status},
            code=ErrorCode.ALREADY_DONE,
        )
    if status not in TRANSITIONS[old]:
        raise StatusError(
            _("a %(old)s customer cannot become %(new)s") % {"old": old, "new": status}
        )
    customer.status = status
    update = ["status"]
    if status == CustomerStatus.VERIFIED and customer.verified_at is None:
        customer.verified_at = timezone.now()
        update.append("verified_at")
    customer.save(update_fields=update)
    audit.record(
        "customer.status_changed",
        acting_user=acting_user,
        obj=customer,
        details={"from": old, "to": status, "reason": reason},
    )
    transaction.on_commit(
        lambda: customer_status_changed.send(
            sender=Customer, customer=customer, old_status=old, new_status=status, reason=reason
        )
    )
    return customer


@transaction.atomic
def reactivate_customer(customer: Customer, *, acting_user, reason: str) -> Customer:
    """End a suspension: back to VERIFIED when the customer had been verified, else ACTIVE."""
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    target = CustomerStatus.VERIFIED if customer.verified_at else CustomerStatus.ACTIVE
    return set_customer_status(customer, target, acting_user=acting_user, reason=reason)
