"""Helpers shared by the customers app's actions."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from ..errors import CustomerError, ErrorCode, InvalidData, InvalidField
from ..models import Customer


def is_staff(acting_user) -> bool:
    """The system (``None``: jobs, the operator's CLI) and staff users."""
    return acting_user is None or bool(getattr(acting_user, "is_staff", False))


def clean_reason(reason: str | None) -> str:
    text = " ".join(str(reason or "").split())
    if not text:
        raise CustomerError(
            _("give the reason for this decision"), code=ErrorCode.REASON_REQUIRED, field="reason"
        )
    return text[:500]


def require_in_service(customer: Customer) -> None:
    if not customer.can_trade:
        raise CustomerError(
            _("the account is %(status)s: this operation is not available")
            % {"status": customer.get_status_display()},
            code=ErrorCode.CUSTOMER_INACTIVE,
        )


def collect(*checks) -> list[Any]:
    """Run each zero-argument check, returning the values or raising every failure at once."""
    values, errors = [], []
    for check in checks:
        try:
            values.append(check())
        except InvalidField as error:
            errors.append(error)
            values.append(None)
    if errors:
        raise InvalidData(errors)
    return values
