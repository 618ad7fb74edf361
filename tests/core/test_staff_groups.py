"""Staff roles with least privilege (AML-4): the groups and what each may do."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from kantor.core import roles

pytestmark = pytest.mark.django_db


def perms(group: str) -> set[str]:
    return {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Group.objects.get(name=group).permissions.select_related("content_type")
    }


def test_the_three_staff_groups_exist_AML_4():
    assert set(Group.objects.values_list("name", flat=True)) >= {"support", "compliance", "board"}


def test_support_views_and_corrects_customers_and_reads_the_ledger_AML_4():
    support = perms("support")
    assert {
        "customers.view_customer",
        "customers.change_customer",
        "customers.set_customer_status",
        "customers.change_bankaccount",
        "customers.revoke_apikey",
        "ledger.view_account",
        "ledger.view_leg",
    } <= support
    # Support creates customers (REG-1..3, through the audited action); nothing else
    # is added, and nothing is ever deleted (AML retention).
    added = {p for p in support if p.split(".")[1].startswith("add_")}
    assert added == {"customers.add_customer"}
    assert not {p for p in support if p.split(".")[1].startswith("delete_")}
    assert "core.view_auditlog" not in support
    assert "customers.approve_pep" not in support
    assert not {p for p in support if p.startswith("ledger.") and "view_" not in p}


def test_compliance_sees_everything_and_may_block_AML_3_AML_4():
    compliance = perms("compliance")
    assert {"core.view_auditlog", "customers.view_apikey", "ledger.view_historyitem"} <= compliance
    assert "customers.set_customer_status" in compliance
    assert "customers.change_customer" not in compliance
    assert not {p for p in compliance if p.startswith("auth.")}


def test_the_board_sees_everything_and_approves_peps_REG_11():
    board = perms("board")
    assert {"core.view_auditlog", "customers.view_customer", "customers.approve_pep"} <= board
    assert not {p for p in board if "change_" in p or "delete_" in p or "add_" in p}


def test_sync_is_idempotent_and_additive_AML_4():
    before = {g: perms(g) for g in roles.STAFF_GROUPS}
    roles.sync()
    assert {g: perms(g) for g in roles.STAFF_GROUPS} == before
