"""Who the operator is, as documents name it.

==================================  ===============================================
setting                             meaning (default)
==================================  ===============================================
``KANTOR_OPERATOR_NAME``            the operator's legal name
``KANTOR_OPERATOR_ADDRESS``         its registered address, one line
``KANTOR_OPERATOR_NIP``             its NIP (tax number)
``KANTOR_OPERATOR_REGISTRATION``    a line of registration data, e.g. the KRS
                                    number and the payment-institution licence
==================================  ===============================================

Unset, the name, address and NIP are those the operator entered in the back
office as the recipient of its active PLN client account (what deposit
instructions show), so there is one place to keep them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

__all__ = ["OperatorIdentity", "operator_identity"]


@dataclass(frozen=True)
class OperatorIdentity:
    name: str
    address: str = ""
    nip: str = ""
    registration: str = ""


def operator_identity() -> OperatorIdentity:
    from kantor.banking.models import OperatorAccount

    account = (
        OperatorAccount.objects.filter(is_active=True, currency="PLN").first()
        or OperatorAccount.objects.filter(is_active=True).order_by("pk").first()
    )
    return OperatorIdentity(
        name=getattr(settings, "KANTOR_OPERATOR_NAME", "")
        or (account.recipient_name if account else "")
        or "Kantor",
        address=getattr(settings, "KANTOR_OPERATOR_ADDRESS", "")
        or (account.recipient_address if account else ""),
        nip=getattr(settings, "KANTOR_OPERATOR_NIP", "")
        or (account.recipient_nip if account else ""),
        registration=getattr(settings, "KANTOR_OPERATOR_REGISTRATION", ""),
    )
