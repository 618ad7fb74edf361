"""Staff roles (AML-4): Django groups with least-privilege model permissions.

==========  ================================================================
group       what it may do, and why
==========  ================================================================
support     create customers (with the same checks as registration),
            view and change customers (REG-10: names, NIP, REGON and legal
            form change only through support) and bank accounts; set a
            customer's status (REG-12: suspend until documents arrive, verify
            them, reactivate); view API keys and revoke a leaked one; view
            the ledger (answer balance questions); see the e-mail outbox and
            send held-up messages again (DOC-3). No audit log, no adding or
            deleting anything.
compliance  view every Kantor model (customers, bank accounts, API keys,
            ledger, audit log, and later AML cases and reports); set a
            customer's status (AML-3: block a suspicious customer). AML
            review permissions are added here with the compliance app.
board       (management board) view every Kantor model; approve
            politically exposed persons (REG-11, ``customers.approve_pep``,
            used once the PEP flow exists); waive rate-lock damages
            (LOCK-11, ``exchange.waive_damages``).
==========  ================================================================

Grants are ``app_label.codename`` patterns (``fnmatch``) matched against the
permissions of Kantor's own apps only (``kantor.*``: never ``auth`` — staff
accounts are managed by superusers). ``*.view_*`` therefore covers models
that later apps add. Syncing is additive: it never removes a permission a
superuser granted by hand. It runs in the data migration that creates the
groups and after every ``migrate`` (``CoreConfig.ready``), so new models get
their grants, and a test database flushed between tests gets its groups back.
"""

from __future__ import annotations

from collections.abc import Iterable
from fnmatch import fnmatchcase

from django.apps import apps as global_apps

__all__ = ["BOARD", "COMPLIANCE", "STAFF_GROUPS", "SUPPORT", "kantor_app_labels", "sync"]

SUPPORT = "support"
COMPLIANCE = "compliance"
BOARD = "board"

STAFF_GROUPS: dict[str, tuple[str, ...]] = {
    SUPPORT: (
        "customers.add_customer",
        "customers.view_customer",
        "customers.change_customer",
        "customers.set_customer_status",
        "customers.view_bankaccount",
        "customers.change_bankaccount",
        "customers.view_apikey",
        "customers.revoke_apikey",
        "ledger.view_*",
        # Banking (issue 4): the review and suspense queues (DEP-3..6), payout files (WD-4).
        "banking.view_*",
        "banking.review_deposit",
        "banking.manage_payouts",
        # Market (issue 3): see orders and trades; cancel an order for a reason (MKT-9).
        "market.view_*",
        "market.cancel_order",
        # DOC-3: the outbox; send again what a provider outage held up.
        "notifications.view_*",
        "notifications.retry_message",
    ),
    COMPLIANCE: (
        "*.view_*",
        "customers.set_customer_status",
        # Banking (issue 4): identification decisions (DEP-3, AML-1), payout holds (WD-2).
        "banking.review_deposit",
        "banking.place_hold",
    ),
    BOARD: (
        "*.view_*",
        "customers.approve_pep",
        # LOCK-11: waiving damages owed to the operator is a management decision.
        "exchange.waive_damages",
    ),
}


def kantor_app_labels() -> set[str]:
    """Labels of Kantor's own apps (from the real registry: app names are static)."""
    return {c.label for c in global_apps.get_app_configs() if c.name.startswith("kantor.")}


def _granted(perm: str, patterns: Iterable[str]) -> bool:
    return any(fnmatchcase(perm, pattern) for pattern in patterns)


def sync(apps=global_apps, *, labels: Iterable[str] | None = None, using: str = "default") -> None:
    """Create the staff groups and add the permissions the table above grants.

    ``apps`` is a migration's historical registry or the real one; ``labels``
    narrows the permissions considered to those apps (post_migrate runs once
    per app).
    """
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    wanted = kantor_app_labels()
    if labels is not None:
        wanted &= set(labels)
    perms = list(
        Permission.objects.using(using)
        .filter(content_type__app_label__in=wanted)
        .values_list("pk", "content_type__app_label", "codename")
    )
    for name, patterns in STAFF_GROUPS.items():
        group, _ = Group.objects.using(using).get_or_create(name=name)
        grant = [pk for pk, app, codename in perms if _granted(f"{app}.{codename}", patterns)]
        if grant:
            group.permissions.add(*grant)
