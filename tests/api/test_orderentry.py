"""``kantor.api.orderentry``: the ordinary signed order, answered outside Django's
request cycle exactly as the endpoint answers it (API-1, API-2, MKT-1/2); anything
else reaches Django untouched."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from django.test import RequestFactory
from django.utils import timezone

from kantor.api.auth import order_keys
from kantor.api.keys import hash_key
from kantor.api.models import Submission, UsedSignature
from kantor.api.orderentry import ORDERS_PATH, OrderEntry
from kantor.customers.models import ApiKey, CustomerStatus
from kantor.ledger.invariants import check_ledger
from kantor.market.models import Order
from tests.api.client import make_api_key, public_pem, rsa_key, sign, timestamp
from tests.api.test_gateway import order_form
from tests.factories import fund
from tests.market.conftest import mid  # noqa: F401 (fixture)


@pytest.fixture(autouse=True)
def _api(settings, mid):  # noqa: F811
    settings.ROOT_URLCONF = "tests.api.urls"
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.SECURE_SSL_REDIRECT = False


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """As Django's test client does: the request signals must not close the
    test's connection (it holds the test's transaction)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


class Spy:
    """Django's WSGI handler, counting the requests it answers."""

    def __init__(self):
        self.handler = WSGIHandler()
        self.calls = 0

    def __call__(self, environ, start_response):
        self.calls += 1
        return self.handler(environ, start_response)


@pytest.fixture
def django_app():
    return Spy()


@pytest.fixture
def app(django_app):
    return OrderEntry(django_app)


@pytest.fixture
def key(customer):
    fund(customer, "100.00", "EUR")
    return make_api_key(customer)[1]


_stamp = iter(range(1, 10_000))


def body_of(submit_id: str | None = "oe-1", **fields) -> str:
    """The signed form's body (``submitId`` left out when None)."""
    data = order_form(submit_id, **fields)
    return "&".join(f"{k}={v}" for k, v in data.items() if v is not None)


def call(
    app, key: str | None, body: str, *, sign_it=True, signature=None, headers=None, raw=None, **kw
):
    """One request through a WSGI app: (status, headers, JSON answer); the
    answer's bytes go into ``raw`` (a list) when given."""
    ts = timestamp(datetime.now(UTC) + timedelta(milliseconds=next(_stamp)), millis=True)
    extra = {"X-API-Timestamp": ts, **(headers or {})}
    if key is not None:
        extra["X-API-Key"] = key
    if sign_it:
        extra["X-API-Signature"] = signature or sign(rsa_key(), ts + ORDERS_PATH + body)
    request = RequestFactory().generic(
        "POST",
        ORDERS_PATH,
        body,
        content_type=kw.pop("content_type", "application/x-www-form-urlencoded"),
        headers=extra,
        secure=kw.pop("secure", True),
    )
    seen: dict = {}

    def start_response(status, response_headers, exc_info=None):
        seen["status"], seen["headers"] = status, dict(response_headers)

    payload = b"".join(app(request.environ, start_response))
    if raw is not None:
        raw.append(payload)
    answer = (
        json.loads(payload)
        if seen["headers"].get("Content-Type", "").startswith("application/json")
        else None
    )
    return seen["status"], seen["headers"], answer


def test_an_ordinary_order_is_accepted_without_django_MKT_1_API_1_API_2(app, django_app, key):
    status, _, answer = call(app, key, body_of("oe-1"))
    assert status == "200 OK"
    assert answer["success"] is True and answer["duplicate"] is False
    assert django_app.calls == 0
    order = Order.objects.get(submit_id="oe-1")
    assert answer["result"] == {"orderId": str(order.order_id)}
    assert Submission.objects.get(submit_id="oe-1").result == answer["result"]
    assert UsedSignature.objects.count() == 1
    assert check_ledger().ok


@pytest.mark.parametrize(
    "headers",
    [{}, {"Accept-Language": "en-GB,en;q=0.9"}, {"X-Forwarded-Proto": "https"}],
    ids=["plain", "english", "behind-a-proxy"],
)
def test_the_answer_is_the_endpoints_headers_included_API_1(key, settings, headers):
    settings.SECURE_HSTS_SECONDS = 3600  # read by Django's middleware when it loads
    settings.SECURE_HSTS_PRELOAD = True
    django_app = Spy()
    app = OrderEntry(django_app)
    raw: list[bytes] = []
    _, fast_headers, fast = call(app, key, body_of("oe-fast"), headers=headers, raw=raw)
    settings.KANTOR_API_ORDER_ENTRY = False
    _, django_headers, slow = call(app, key, body_of("oe-slow"), headers=headers, raw=raw)
    assert django_app.calls == 1
    assert "Strict-Transport-Security" in django_headers
    assert fast_headers == django_headers
    ids = (fast["result"]["orderId"].encode(), slow["result"]["orderId"].encode())
    assert raw[0].replace(ids[0], b"<id>") == raw[1].replace(ids[1], b"<id>")


def test_once_the_order_is_in_the_answer_is_ours_even_if_its_headers_fail_API_2(
    app, django_app, key, monkeypatch
):
    """Handing a committed request to Django would try it again (and refuse
    its spent signature): the answer goes out with the essential headers."""
    import kantor.api.orderentry as orderentry

    def broken(*args):
        raise RuntimeError("headers")

    monkeypatch.setattr(orderentry, "_headers", broken)
    status, headers, answer = call(app, key, body_of("h-1"))
    assert (status, answer["success"]) == ("200 OK", True)
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert django_app.calls == 0
    assert Order.objects.filter(submit_id="h-1").count() == 1


def test_too_many_fields_go_to_django(app, django_app, key, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 3
    _, _, answer = call(app, key, body_of("m-1"))
    assert answer["errors"][0]["key"] == "INVALID_ARGUMENTS"
    assert django_app.calls == 1
    assert not Order.objects.exists()


def test_with_prepend_www_django_answers(key, settings):
    settings.PREPEND_WWW = True
    django_app = Spy()
    status, _, _ = call(OrderEntry(django_app), key, body_of("w-1"))
    assert status.startswith("301")
    assert django_app.calls == 1
    assert not Order.objects.exists()


def test_a_repeated_submit_id_is_replayed_by_the_endpoint_API_1(app, django_app, key):
    _, _, first = call(app, key, body_of("oe-1"))
    _, _, again = call(app, key, body_of("oe-1"))
    assert again == {**first, "duplicate": True}
    assert django_app.calls == 1
    assert Order.objects.count() == 1


def test_a_refused_group_is_answered_alone_by_the_endpoint_MKT_2(app, django_app, key, monkeypatch):
    """Insufficient funds fail the gateway's group; the endpoint answers the
    request alone and does not try the gateway again."""
    from kantor.api import gateway

    places = []
    real_place = gateway.place

    def counting_place(*args, **kwargs):
        places.append(1)
        return real_place(*args, **kwargs)

    monkeypatch.setattr(gateway, "place", counting_place)
    _, _, answer = call(app, key, body_of("poor", volume="1000.00"))
    assert answer["errors"][0]["key"] == "INSUFFICIENT_FUNDS"
    assert django_app.calls == 1
    assert len(places) == 1
    assert UsedSignature.objects.count() == 1  # spent by the one-request path (API-2)
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    ("body", "kwargs", "key_"),
    [
        (body_of(None, dryRun="true"), {}, "ok"),
        (body_of(None), {}, "INVALID_ARGUMENTS"),
        (body_of("x-1", volume="1.234"), {}, "INVALID_ARGUMENTS"),
        (body_of("x-2", note="hello"), {}, "ok"),
        (body_of("x-3") + "&volume=11.00", {}, "ok"),
        (body_of("x-4"), {"headers": {"Cookie": "sessionid=abc"}}, "ok"),
        (body_of("x-5"), {"signature": "bm90IGEgc2lnbmF0dXJl"}, "INVALID_SIGNATURE"),
        (body_of("x-6"), {"sign_it": False}, "MISSING_SIGNATURE"),
        (body_of("x-7", currencyPair="EURXYZ"), {}, "CURRENCY_NOT_SUPPORTED"),
    ],
    ids=[
        "dry-run",
        "no-submit-id",
        "bad-volume",
        "unknown-parameter",
        "repeated-parameter",
        "cookie",
        "bad-signature",
        "unsigned",
        "unknown-pair",
    ],
)
def test_anything_else_goes_to_django_untouched_API_1_API_2(
    app, django_app, key, body, kwargs, key_
):
    _, _, answer = call(app, key, body, **kwargs)
    assert django_app.calls == 1
    assert (answer["errors"][0]["key"] if not answer["success"] else "ok") == key_


def test_an_unknown_key_goes_to_django_API_2(app, django_app, key):
    _, _, answer = call(app, "no-such-key", body_of("x-1"))
    assert answer["errors"][0]["key"] == "INVALID_API_KEY"
    assert django_app.calls == 1


def test_a_json_body_goes_to_django(app, django_app, key):
    call(app, key, json.dumps({"submitId": "j-1"}), content_type="application/json")
    assert django_app.calls == 1


def test_a_plain_http_request_is_redirected_by_django_when_https_is_required(key, settings):
    settings.SECURE_SSL_REDIRECT = True  # read by Django's middleware when it loads
    django_app = Spy()
    status, _, _ = call(OrderEntry(django_app), key, body_of("r-1"), secure=False)
    assert status.startswith("301")
    assert django_app.calls == 1
    assert not Order.objects.exists()


def test_other_endpoints_and_methods_go_to_django(app, django_app, key):
    request = RequestFactory().get("/api/v2.0.0/market_fx/best_offers?currencyPair=EURPLN")
    app(request.environ, lambda *a, **k: None)
    request = RequestFactory().get(ORDERS_PATH)
    app(request.environ, lambda *a, **k: None)
    assert django_app.calls == 2


def test_turned_off_it_hands_everything_to_django(app, django_app, key, settings):
    settings.KANTOR_API_ORDER_ENTRY = False
    _, _, answer = call(app, key, body_of("off-1"))
    assert answer["success"] is True
    assert django_app.calls == 1


# -- the key cache (PostgreSQL: its stamps are PostgreSQL's md5 of the rows) --------


@pytest.fixture
def fresh_cache():
    order_keys.clear()
    yield order_keys
    order_keys.clear()


def _key_row(raw: str):
    return ApiKey.objects.filter(key_hash=hash_key(raw))


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("module", "reader"),
    [("kantor.api.auth", "_find_key"), ("kantor.market.pairs", "market_pair")],
    ids=["api-key", "pair"],
)
def test_order_entry_reads_a_key_and_a_pair_once_then_from_caches_API_2_MON_3(
    app, key, fresh_cache, monkeypatch, module, reader
):
    """The key and its customer (``auth.KeyCache``) and the pair's market
    (``pairs.order_markets``) are read for the first of three orders only."""
    from importlib import import_module

    reads = []
    real = getattr(import_module(module), reader)
    monkeypatch.setattr(f"{module}.{reader}", lambda *a, **k: reads.append(1) or real(*a, **k))
    for n in range(3):
        assert call(app, key, body_of(f"c-{n}"))[2]["success"] is True
    assert len(reads) == 1
    assert Order.objects.count() == 3


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("change", "refusal"),
    [
        (lambda raw, c: _key_row(raw).update(revoked_at=timezone.now()), "INVALID_API_KEY"),
        (
            lambda raw, c: type(c).objects.filter(pk=c.pk).update(status=CustomerStatus.SUSPENDED),
            "NOT_AUTHORIZED",
        ),
        (lambda raw, c: _key_row(raw).update(roles=["reader"]), "MISSING_AUTH_ROLE"),
        (
            lambda raw, c: _key_row(raw).update(public_key_pem=public_pem(rsa_key(1))),
            "INVALID_SIGNATURE",
        ),
    ],
    ids=["revoked", "customer-suspended", "role-removed", "public-key-replaced"],
)
def test_a_key_changed_after_it_was_cached_is_decided_on_fresh_rows_API_2(
    app, django_app, key, customer, fresh_cache, change, refusal
):
    """The gateway compares the cached rows' stamp where it writes: a key
    revoked, a role removed, a public key replaced or a customer suspended
    meanwhile sends the request to Django, which refuses it on fresh rows."""
    assert call(app, key, body_of("before"))[2]["success"] is True
    change(key, customer)
    _, _, answer = call(app, key, body_of("after"))
    assert answer["errors"][0]["key"] == refusal
    assert django_app.calls == 1
    assert list(Order.objects.values_list("submit_id", flat=True)) == ["before"]
    assert not fresh_cache.keys()  # forgotten: the next request reads the rows


def test_its_path_is_the_endpoints():
    """Order entry matches the path as a constant (no URL resolving per
    request); it must stay the endpoint's."""
    from django.urls import reverse

    assert reverse("api-v2:new_order") == ORDERS_PATH


# -- the market cache (PostgreSQL: the gateway re-checks the pair where it writes) --


@pytest.mark.postgres
def test_a_pair_withdrawn_after_it_was_cached_takes_no_order_MON_3(app, django_app, key):
    """The market came from the cache, but the group checks that the operator
    still offers the pair in the transaction that writes the orders: a pair
    withdrawn meanwhile sends the request to Django, which refuses it."""
    from kantor.market.pairs import order_markets
    from kantor.rates.models import OfferedPair

    assert call(app, key, body_of("offered"))[2]["success"] is True
    assert order_markets.keys()
    OfferedPair.objects.filter(code="EURPLN").update(enabled=False)
    _, _, answer = call(app, key, body_of("withdrawn"))
    assert answer["errors"][0]["key"] == "CURRENCY_NOT_SUPPORTED"
    assert django_app.calls == 1
    assert list(Order.objects.values_list("submit_id", flat=True)) == ["offered"]
    assert not order_markets.keys()  # forgotten: the next order reads the pair
