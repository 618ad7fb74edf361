"""`kantor demo` loads a working platform, and loading it again changes nothing."""

from __future__ import annotations

import pytest

from kantor.customers.models import ApiKey, Customer
from kantor.ledger.invariants import check_ledger
from kantor.ledger.models import LedgerTransaction
from kantor.market.models import Order
from kantor.ops.demo import load_demo


@pytest.mark.django_db
def test_demo_data_is_complete_balanced_and_idempotent(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    load_demo(out=lambda *_: None)
    counts = (
        Customer.objects.count(),
        LedgerTransaction.objects.count(),
        Order.objects.count(),
        ApiKey.objects.count(),
    )
    assert counts[0] == 3 and counts[2] == 4 and counts[3] == 1
    assert (tmp_path / "demo-api" / "private.key").exists()

    load_demo(out=lambda *_: None)
    assert (
        Customer.objects.count(),
        LedgerTransaction.objects.count(),
        Order.objects.count(),
        ApiKey.objects.count(),
    ) == counts
    assert Customer.objects.filter(status="verified").count() == 3
    report = check_ledger()
    assert report.ok, report.problems
