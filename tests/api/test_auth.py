"""API-2: API key, signature, timestamp window, replay, roles, customer status.

Every request is signed for real: an RSA key generated in the session, the
message built as the reference's shell examples build it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from kantor.api.jobs import purge_used_signatures
from kantor.api.models import UsedSignature
from kantor.customers.models import ApiKey, ApiRole, CustomerStatus
from tests.api.client import ApiClient, make_api_key, rsa_key, sign, timestamp

BALANCES = "/api/v2.0.0/account/balances"
HISTORY = "/api/v2.0.0/account/history"


def error_key(answer: dict) -> str:
    assert answer["success"] is False, answer
    assert "result" not in answer
    return answer["errors"][0]["key"]


def error_data(answer: dict) -> dict[str, str]:
    return {d["key"]: d["value"] for d in answer["errors"][0]["errorData"]}


def test_missing_api_key_is_refused_API_2(db):
    answer = ApiClient(None).get(BALANCES, sign=False)
    assert error_key(answer) == "MISSING_API_KEY"


def test_unknown_api_key_is_refused_API_2(db):
    answer = ApiClient("not-a-key-we-issued").get(BALANCES, sign=False)
    assert error_key(answer) == "INVALID_API_KEY"


def test_revoked_api_key_is_refused_API_2(api_key, client):
    ApiKey.objects.filter(pk=api_key[0].pk).update(revoked_at=timezone.now())
    assert error_key(client.get(BALANCES)) == "INVALID_API_KEY"


def test_key_alone_is_enough_where_the_reference_does_not_require_a_signature_API_2(client):
    answer = client.get(BALANCES, sign=False)
    assert answer == {"success": True, "result": []}


def test_signature_required_by_the_reference_is_demanded_API_2(client):
    answer = client.get(HISTORY, sign=False)
    assert error_key(answer) == "MISSING_SIGNATURE"


def test_a_valid_signature_with_a_seconds_timestamp_is_accepted_API_2(client):
    """The reference's own format: date -u +"%Y-%m-%dT%H:%M:%SZ"."""
    answer = client.get(HISTORY, {"sortOrder": "ASC"}, ts=timestamp())
    assert answer["success"] is True


def test_a_signature_by_another_private_key_is_invalid_API_2(api_key):
    impostor = ApiClient(api_key[1], rsa_key(1))
    answer = impostor.get(HISTORY)
    assert error_key(answer) == "INVALID_SIGNATURE"
    assert error_data(answer) == {"header": "X-API-Signature"}


def test_an_optional_signature_is_still_verified_when_present_API_2(api_key):
    impostor = ApiClient(api_key[1], rsa_key(1))
    assert error_key(impostor.get(BALANCES)) == "INVALID_SIGNATURE"


def test_signature_covers_the_query_string_exactly_as_sent_API_2(client):
    ts = timestamp(millis=True)
    signed_for = sign(client.private_key, ts + HISTORY + "?currencies=PLN,EUR")
    # The same parameters with the comma percent-encoded are another request target.
    answer = client.get(HISTORY, "currencies=PLN%2CEUR", ts=ts, signature=signed_for)
    assert error_key(answer) == "INVALID_SIGNATURE"
    answer = client.get(HISTORY, "currencies=PLN,EUR", ts=ts, signature=signed_for)
    assert answer["success"] is True


def test_signature_covers_the_body_of_a_post_API_2(api_key):
    client = ApiClient(api_key[1])
    ts = timestamp(millis=True)
    body = "currency=PLN&volume=1.00&submitId=body-1"
    forged = sign(client.private_key, ts + "/api/test/donate" + body.replace("1.00", "9.00"))
    answer = client.post("/api/test/donate", body, ts=ts, signature=forged)
    assert error_key(answer) == "INVALID_SIGNATURE"


def test_malformed_signature_is_invalid_API_2(client):
    answer = client.get(BALANCES, signature="not base64 !!!")
    assert error_key(answer) == "INVALID_SIGNATURE"


def test_signature_without_timestamp_is_invalid_API_2(client):
    headers = {"X-API-Key": client.key, "X-API-Signature": sign(client.private_key, BALANCES)}
    response = client.client.get(BALANCES, headers=headers, secure=True)
    answer = response.json()
    assert response.status_code == 200
    assert error_key(answer) == "INVALID_SIGNATURE"
    assert error_data(answer) == {"header": "X-API-Timestamp"}


def test_malformed_timestamp_is_invalid_API_2(client):
    answer = client.get(BALANCES, ts="yesterday at noon")
    assert error_key(answer) == "INVALID_SIGNATURE"
    assert error_data(answer)["header"] == "X-API-Timestamp"


def test_expired_timestamp_is_refused_API_2(client):
    old = timestamp(datetime.now(UTC) - timedelta(minutes=5, seconds=5))
    answer = client.get(BALANCES, ts=old)
    assert error_key(answer) == "INVALID_SIGNATURE"
    assert "expired" in answer["errors"][0]["description"]
    assert error_data(answer)["toleranceSeconds"] == "300"


def test_future_timestamp_is_refused_API_2(client):
    ahead = timestamp(datetime.now(UTC) + timedelta(minutes=5, seconds=5))
    answer = client.get(BALANCES, ts=ahead)
    assert error_key(answer) == "INVALID_SIGNATURE"
    assert "not yet valid" in answer["errors"][0]["description"]


def test_timestamp_inside_the_window_is_accepted_API_2(client):
    a_bit_late = timestamp(datetime.now(UTC) - timedelta(minutes=4, seconds=50))
    a_bit_early = timestamp(datetime.now(UTC) + timedelta(minutes=4, seconds=50), millis=True)
    assert client.get(BALANCES, ts=a_bit_late)["success"] is True
    assert client.get(BALANCES, ts=a_bit_early)["success"] is True


def test_a_signature_is_accepted_once_and_a_replay_is_refused_API_2(client):
    ts = timestamp(millis=True)
    signature = sign(client.private_key, ts + BALANCES)
    assert client.get(BALANCES, ts=ts, signature=signature)["success"] is True
    replay = client.get(BALANCES, ts=ts, signature=signature)
    assert error_key(replay) == "INVALID_SIGNATURE"
    assert "already used" in replay["errors"][0]["description"]


def test_a_signature_is_spent_even_when_the_request_is_refused_API_2(customer):
    """A replay of a refused request is refused as a replay, not re-examined."""
    _, raw = make_api_key(customer, roles=[ApiRole.DIRECT_FX])
    client = ApiClient(raw)
    ts = timestamp(millis=True)
    signature = sign(client.private_key, ts + BALANCES)
    assert error_key(client.get(BALANCES, ts=ts, signature=signature)) == "MISSING_AUTH_ROLE"
    assert error_key(client.get(BALANCES, ts=ts, signature=signature)) == "INVALID_SIGNATURE"


def test_purge_forgets_only_signatures_outside_the_window_API_2(client):
    client.get(BALANCES)
    assert UsedSignature.objects.count() == 1
    now = timezone.now()
    assert purge_used_signatures(now) == 0
    assert purge_used_signatures(now + timedelta(minutes=5, seconds=1)) == 1
    assert not UsedSignature.objects.exists()


def test_key_without_public_key_cannot_sign_API_2(customer):
    _, raw = make_api_key(customer, with_public_key=False)
    client = ApiClient(raw)
    assert error_key(client.get(HISTORY)) == "MISSING_PUBLIC_KEY"
    assert error_key(client.get(HISTORY, sign=False)) == "MISSING_PUBLIC_KEY"
    assert error_key(client.get(BALANCES)) == "MISSING_PUBLIC_KEY"
    assert client.get(BALANCES, sign=False)["success"] is True


def test_key_lacking_the_endpoint_role_is_refused_API_2(customer):
    """balances: x-c1-roles [admin, reader]."""
    _, raw = make_api_key(customer, roles=[ApiRole.DIRECT_FX, ApiRole.MARKET_FX])
    answer = ApiClient(raw).get(BALANCES)
    assert error_key(answer) == "MISSING_AUTH_ROLE"
    assert error_data(answer) == {"requiredRoles": "admin,reader"}


@pytest.mark.parametrize("role", [ApiRole.ADMIN, ApiRole.READER])
def test_any_one_of_the_endpoint_roles_is_enough_API_2(customer, role):
    _, raw = make_api_key(customer, roles=[role])
    assert ApiClient(raw).get(BALANCES)["success"] is True


@pytest.mark.parametrize("status", [CustomerStatus.SUSPENDED, CustomerStatus.TERMINATED])
def test_suspended_or_terminated_customer_is_not_authorized_TERM_2(customer, client, status):
    customer.status = status
    customer.save(update_fields=["status"])
    answer = client.get(BALANCES)
    assert error_key(answer) == "NOT_AUTHORIZED"
    assert error_data(answer) == {"status": str(status)}


def test_operator_switch_disables_the_api_API_2(client, settings):
    settings.KANTOR_API_ENABLED = False
    assert error_key(client.get(BALANCES)) == "API_DISABLED"


def test_last_use_is_recorded_at_most_once_a_minute_API_2(api_key, client):
    row = api_key[0]
    start = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        client.get(BALANCES, sign=False)
    row.refresh_from_db()
    assert row.last_used_at == start
    with time_machine.travel(start + timedelta(seconds=59), tick=False):
        client.get(BALANCES, sign=False)
    row.refresh_from_db()
    assert row.last_used_at == start
    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        client.get(BALANCES, sign=False)
    row.refresh_from_db()
    assert row.last_used_at == start + timedelta(seconds=61)
