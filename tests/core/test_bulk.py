"""``kantor.core.bulk``: many rows, or several statements, per round trip."""

from __future__ import annotations

import pytest
from django.db import DataError, IntegrityError, connection, transaction

from kantor.core.bulk import execute_together, insert_returning_ids, insert_sql
from kantor.customers.models import ApiKey
from tests.api.client import make_api_key

pytestmark = pytest.mark.django_db


def _prefixes() -> list[str]:
    return list(ApiKey.objects.order_by("prefix").values_list("prefix", flat=True))


def test_statements_run_in_order_and_the_last_ones_rows_are_returned(customer):
    key, _ = make_api_key(customer)
    rows = execute_together(
        [
            ("UPDATE customers_apikey SET prefix = %s WHERE id = %s", ["first", key.pk]),
            ("UPDATE customers_apikey SET prefix = prefix || %s WHERE id = %s", ["+2", key.pk]),
            ("SELECT prefix FROM customers_apikey WHERE id = %s", [key.pk]),
        ]
    )
    assert rows == [("first+2",)]


def test_statements_without_rows_return_nothing(customer):
    key, _ = make_api_key(customer)
    update = ("UPDATE customers_apikey SET prefix = %s WHERE id = %s", ["p", key.pk])
    assert execute_together([update, update]) == []
    assert execute_together([]) == []


def test_the_first_failing_statement_stops_the_rest(customer):
    """On PostgreSQL the statements travel as one query; either way an error
    stops everything after it, and the transaction rolls back whole."""
    key, _ = make_api_key(customer)
    before = _prefixes()
    clash = insert_sql(
        "customers_apikey",
        "customer_id, name, prefix, key_hash, key_encrypted, public_key_pem, roles, created_at",
        [(customer.pk, "", "dup", key.key_hash, "", "", "[]", key.created_at)],
    )
    after = ("UPDATE customers_apikey SET prefix = %s WHERE id = %s", ["never", key.pk])
    with pytest.raises(IntegrityError), transaction.atomic():
        execute_together([clash, after])
    assert _prefixes() == before


@pytest.mark.skipif(connection.vendor != "postgresql", reason="RETURNING ids: PostgreSQL")
def test_a_few_rows_get_their_ids_in_order(customer):
    key, _ = make_api_key(customer)
    ids = insert_returning_ids(
        "api_usedsignature",
        "signature_hash, timestamp, api_key_id",
        [(f"{n:064d}", key.created_at, key.pk) for n in range(3)],
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM api_usedsignature ORDER BY signature_hash")
        assert [r[0] for r in cursor.fetchall()] == ids


@pytest.mark.parametrize(
    "name", ["50% o'clock", "back\\slash", "'); DROP TABLE customers_apikey; --", "zażółć %s %%"]
)
def test_values_arrive_exactly_as_given_beside_statements_with_parameters(customer, name):
    """On PostgreSQL ``insert_sql`` quotes the values itself (``Rendered``) and
    ``execute_together`` sends them with statements that have parameters: a
    quote, a backslash or a ``%`` must neither break nor inject."""
    key, _ = make_api_key(customer)
    row = (customer.pk, name, "p", "h" * 64, "", "", "[]", key.created_at)
    columns = (
        "customer_id, name, prefix, key_hash, key_encrypted, public_key_pem, roles, created_at"
    )
    rows = execute_together(
        [
            ("UPDATE customers_apikey SET name = %s WHERE id = %s", [name, key.pk]),
            insert_sql("customers_apikey", columns, [row]),
            ("SELECT name FROM customers_apikey ORDER BY id", []),
        ]
    )
    assert rows == [(name,), (name,)]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL refuses NUL in text")
def test_a_value_postgresql_cannot_store_is_djangos_data_error(customer):
    key, _ = make_api_key(customer)
    update = ("UPDATE customers_apikey SET prefix = %s WHERE id = %s", ["p", key.pk])
    row = (customer.pk, "nul\x00here", "p", "n" * 64, "", "", "[]", key.created_at)
    columns = (
        "customer_id, name, prefix, key_hash, key_encrypted, public_key_pem, roles, created_at"
    )
    with pytest.raises(DataError), transaction.atomic():
        execute_together([update, insert_sql("customers_apikey", columns, [row])])
