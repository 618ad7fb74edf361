"""FEE-1: a customer's discount is a fraction of the commission, enforced by the database."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import DataError, IntegrityError, transaction

from kantor.customers.models import Customer


@pytest.mark.parametrize("discount", ["-0.0001", "1.0001", "25"])
def test_a_discount_outside_zero_to_one_is_refused_FEE_1(customer, discount):
    # PostgreSQL refuses 25 as a numeric overflow before the CHECK: refused either way.
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        Customer.objects.filter(pk=customer.pk).update(fee_discount=Decimal(discount))


@pytest.mark.parametrize("discount", ["0", "0.25", "1"])
def test_a_discount_within_zero_to_one_is_kept_FEE_1(customer, discount):
    Customer.objects.filter(pk=customer.pk).update(fee_discount=Decimal(discount))
    customer.refresh_from_db()
    assert customer.fee_discount == Decimal(discount)
