"""`kantor ledger check` exits non-zero with a report when the books don't balance."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from kantor.ledger import accounts
from tests.factories import fund


def test_ledger_check_passes_on_balanced_books(customer, capsys):
    fund(customer, "25.00", "EUR")
    call_command("ledger", "check")
    assert "ledger OK" in capsys.readouterr().out


def test_ledger_check_fails_with_a_report(customer, capsys):
    fund(customer, "25.00", "EUR")
    acc = accounts.available(customer, "EUR")
    type(acc).objects.filter(pk=acc.pk).update(balance_minor=1)
    with pytest.raises(CommandError, match="does not balance"):
        call_command("ledger", "check")
    assert "balance 1 != legs 2500" in capsys.readouterr().err
