"""``kantor staff``: staff accounts in role groups, audited (AML-4)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from kantor.core.models import AuditLog

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("staff", *args, stdout=out)
    return out.getvalue()


def test_create_a_support_member_and_list_staff_AML_4():
    assert "changepassword anna" in run(
        "create", "anna", "--email", "anna@kantor.example", "--group", "support"
    )
    user = get_user_model().objects.get(username="anna")
    assert user.is_staff and not user.is_superuser and not user.has_usable_password()
    assert [g.name for g in user.groups.all()] == ["support"]
    assert user.has_perm("customers.change_customer") and not user.has_perm("core.view_auditlog")
    assert AuditLog.objects.get(action="staff.created").details == {
        "via": "cli",
        "groups": ["support"],
        "superuser": False,
    }
    assert "anna  support" in run("list")
    assert "compliance: *.view_*" in run("roles")


@pytest.mark.parametrize(
    "args",
    [
        ["create", "anna"],  # no group
        ["create", "anna", "--group", "support", "--superuser"],
        ["create", "anna", "--group", "sales"],
        ["create", "anna", "--group", "board", "--email", "nope"],
    ],
)
def test_bad_staff_input_is_refused_and_writes_nothing(args):
    with pytest.raises(CommandError):
        run(*args)
    assert not get_user_model().objects.exists() and not AuditLog.objects.exists()
