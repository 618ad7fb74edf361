"""Write operations on customers, bank accounts and API keys.

One function per state change (Zulip's ``do_*``): views, the API, admin
actions and CLI commands all call these, so each rule lives here once. Each
runs in one transaction together with its ``AuditLog`` row (SEC-9, AML-4).
The transactions are plain ``atomic`` (not ``durable``): the demo loader,
tests and other actions call them inside their own transaction.
"""

from .api_keys import create_api_key, revoke_api_key
from .bank_accounts import add_bank_account, deactivate_bank_account, verify_bank_account
from .customers import (
    STAFF_ONLY_FIELDS,
    TRANSITIONS,
    create_customer,
    reactivate_customer,
    set_customer_status,
    update_customer,
)

__all__ = [
    "STAFF_ONLY_FIELDS",
    "TRANSITIONS",
    "add_bank_account",
    "create_api_key",
    "create_customer",
    "deactivate_bank_account",
    "reactivate_customer",
    "revoke_api_key",
    "set_customer_status",
    "update_customer",
    "verify_bank_account",
]
