"""The staff CLI: ``kantor statement|deposits|withdrawals|payouts`` (DEP-1..6, WD-1..4)."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kantor.banking.models import Deposit, DepositStatus, Payout, PayoutStatus
from kantor.core.models import AuditLog
from kantor.ledger.invariants import check_ledger
from tests.banking.conftest import FIXTURES
from tests.factories import fund


def kantor(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user("ola", password="x", is_staff=True)


def test_statement_import_prints_the_json_summary_and_is_idempotent_DEP_2(mids, jan, staff):
    first = json.loads(
        kantor("statement", "import", str(FIXTURES / "staff_manual.csv"), "--staff", "ola")
    )
    again = json.loads(kantor("statement", "import", str(FIXTURES / "staff_manual.csv")))

    assert (first["refused"], first["unassigned"], first["unmatched"]) == (1, 1, 1)
    assert again["duplicates"] == again["entries"] == 3
    row = AuditLog.objects.get(action="statement.imported", actor=staff)
    assert row.details["via"] == "cli"
    assert check_ledger().ok


def test_a_malformed_file_exits_non_zero_with_the_line_at_fault_DEP_2(mids, jan, capsys):
    out = io.StringIO()
    with pytest.raises(CommandError, match="BALANCE_MISMATCH"):
        call_command("statement", "import", str(FIXTURES / "mt940_bad_balance.sta"), stdout=out)
    refused = json.loads(out.getvalue())
    assert refused["refused"] is True and refused["line"] > 0
    with pytest.raises(CommandError, match="FILE"):
        call_command("statement", "import", "/nonexistent.sta")


def test_staff_review_queue_through_the_cli_DEP_3_DEP_4(mids, bilans, staff):
    kantor("statement", "import", str(FIXTURES / "camt053_ing_v02.xml"))
    listed = json.loads(kantor("deposits", "list", "--status", "review", "--json"))
    [review] = [d for d in listed if d["customer"] == bilans.pk]

    kantor("deposits", "approve", str(review["id"]), "--staff", "ola", "--reason", "KRS")

    assert Deposit.objects.get(pk=review["id"]).status == DepositStatus.BOOKED
    with pytest.raises(CommandError, match="INVALID_STATE"):
        kantor("deposits", "reject", str(review["id"]), "--reason", "late")
    suspense = json.loads(kantor("deposits", "list", "--status", "unassigned", "--json"))
    assert suspense
    kantor("deposits", "refund", str(suspense[0]["id"]), "--reason", "unknown sender")
    assert Deposit.objects.get(pk=suspense[0]["id"]).status == DepositStatus.REFUNDING
    assert "PL46105010383616090881330367" in kantor("deposits", "accounts")
    assert check_ledger().ok


def test_deposit_instructions_with_the_qr_code_file_DEP_1(jan, tmp_path):
    svg = tmp_path / "qr.svg"
    text = kantor("deposits", "instructions", jan.email, "--currency", "PLN", "--qr-svg", str(svg))

    assert "KND8 NX4Q MAQ9" in text
    assert "|PL|46105010383616090881330367|000000|" in text
    assert svg.read_text().startswith("<svg")


def test_withdrawal_export_and_files_WD_1_WD_4(mids, jan, tmp_path, staff):
    fund(jan, "100.00", "PLN")
    iban = jan.pko.iban
    assert "fee 0.00 PLN" in kantor(
        "withdrawals",
        "request",
        jan.email,
        "--account",
        iban,
        "--amount",
        "40.00",
        "--currency",
        "PLN",
        "--dry-run",
    )
    made = json.loads(
        kantor(
            "withdrawals",
            "request",
            jan.email,
            "--account",
            iban,
            "--amount",
            "40.00",
            "--currency",
            "PLN",
            "--key",
            "k-1",
            "--json",
            "--staff",
            "ola",
        )
    )
    assert made["status"] == PayoutStatus.REQUEST_RECEIVED
    with pytest.raises(CommandError, match="INSUFFICIENT_FUNDS"):
        kantor(
            "withdrawals",
            "request",
            jan.email,
            "--account",
            iban,
            "--amount",
            "99.00",
            "--currency",
            "PLN",
        )

    [batch] = json.loads(kantor("payouts", "export", "--out", str(tmp_path), "--json"))

    assert batch["payouts"] == 1
    assert (tmp_path / batch["file"].split("/")[-1]).read_text().startswith("<?xml")
    assert Payout.objects.get().status == PayoutStatus.SENT
    assert "Nothing to pay out." in kantor("payouts", "export", "--out", str(tmp_path))
    rewritten = kantor("payouts", "write", str(batch["batch"]), "--out", str(tmp_path / "again"))
    assert rewritten.strip().endswith(".xml")
    kantor("withdrawals", "hold", jan.email, "--reason", "check", "--staff", "ola")
    kantor("withdrawals", "release", jan.email, "--reason", "ok")
    assert "other banks" in kantor("withdrawals", "fees")
    assert check_ledger().ok
