"""The audit log is append-only and written in the action's transaction (SEC-9, AML-4)."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from kantor.core.audit import audit_context, record
from kantor.core.models import AuditLog, AuditLogImmutable
from kantor.customers.actions import create_customer
from kantor.customers.errors import InvalidData
from tests.customers.data import individual_data

pytestmark = pytest.mark.django_db


def test_a_row_names_the_actor_the_action_and_the_object_SEC_9(customer, django_user_model):
    staff = django_user_model.objects.create_user(username="anna", is_staff=True)
    with audit_context(via="cli", os_user="ops"):
        row = record("customer.noted", acting_user=staff, obj=customer, details={"n": 1})
    row.refresh_from_db()
    assert (row.actor, row.actor_label, row.action) == (staff, "anna", "customer.noted")
    assert (row.object_type, row.object_id) == ("customers.customer", str(customer.pk))
    assert row.details == {"via": "cli", "os_user": "ops", "n": 1}
    assert record("job.ran", acting_user=None).actor_label == "system"


def test_rows_cannot_be_changed_or_deleted_SEC_9(customer):
    row = record("customer.noted", acting_user=None, obj=customer)
    row.action = "customer.forged"
    with pytest.raises(AuditLogImmutable):
        row.save()
    with pytest.raises(AuditLogImmutable):
        row.delete()


def test_a_refused_action_leaves_no_audit_row_SEC_9():
    with pytest.raises(InvalidData):
        create_customer(individual_data(pesel="1"))
    assert not AuditLog.objects.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_recording_outside_a_transaction_is_refused_SEC_9():
    with pytest.raises(RuntimeError, match="outside a transaction"):
        record("customer.noted", acting_user=None)


# The django_db marker is static so that pytest-django runs this transactional
# test after the others (a flush would empty the seeded staff groups).
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_postgres_refuses_editing_audit_rows_SEC_9(customer):
    with transaction.atomic():
        row = record("customer.noted", acting_user=None, obj=customer)
    for sql in (
        "UPDATE core_auditlog SET action = 'x' WHERE id = %s",
        "DELETE FROM core_auditlog WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="SEC-9"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [row.pk])
