"""``kantor.api.gateway``: order requests committed in groups answer exactly as alone
(API-1 submitId, API-2 signatures, MKT-1/2 acceptance)."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import pytest
from django.db import OperationalError, connection

from kantor.api import gateway
from kantor.api.models import Submission, UsedSignature
from kantor.api.signing import SignatureUse
from kantor.core.groupcommit import GroupCommit, Job
from kantor.domain.money import Money
from kantor.ledger import accounts
from kantor.ledger.invariants import check_ledger
from kantor.ledger.models import AccountKind, LedgerTransaction
from kantor.ledger.posting import InsufficientFunds, Posting, credit, debit, post
from kantor.market.models import Order
from kantor.market.validation import validate_order
from tests.api.client import ApiClient, make_api_key
from tests.factories import fund, make_customer
from tests.market.conftest import mid  # noqa: F401 (fixture)
from tests.threads import in_threads

ORDERS = "/api/v2.0.0/market_fx/orders"


@pytest.fixture(autouse=True)
def _api(settings, mid):  # noqa: F811
    settings.ROOT_URLCONF = "tests.api.urls"


def order_form(submit_id: str, **overrides) -> dict:
    data = {
        "submitId": submit_id,
        "currencyPair": "EURPLN",
        "buySell": "SELL",
        "volume": "10.00",
        "volumeCurrency": "EUR",
        "limitPrice": "4.3500",
    }
    data.update(overrides)
    return data


def submission(customer, api_key, submit_id: str, volume: str = "10.00") -> OrderSubmission:
    order = validate_order(customer, "EURPLN", "SELL", volume, "EUR", "4.3500", check_arrears=False)
    return gateway.OrderSubmission(
        order=order,
        submit_id=submit_id,
        ordered_by="API/test…",
        api_key_id=api_key.pk,
        path=ORDERS,
        fingerprint="f" * 64,
        signature=SignatureUse(f"{submit_id:0>64}", datetime.now(UTC), api_key.pk),
    )


OrderSubmission = gateway.OrderSubmission


def owe_fees(customer) -> None:
    """FEE-2: damages booked and not paid."""
    owed = Money("5.00", "PLN")
    income = accounts.operator_account(AccountKind.DAMAGES_INCOME, "PLN")
    post(
        Posting(
            f"arrears-{customer.pk}",
            "damages",
            [debit(accounts.receivable(customer, "PLN"), owed), credit(income, owed)],
        )
    )


def group_of_three(funds_of_b: str = "100.00") -> list[Job]:
    """g-1 and g-3 by a customer with 100 EUR, g-2 by one with ``funds_of_b``."""
    a, b = make_customer(email="a@example.com"), make_customer(email="b@example.com")
    fund(a, "100.00", "EUR")
    fund(b, funds_of_b, "EUR")
    key_a, key_b = make_api_key(a)[0], make_api_key(b)[0]
    return [
        Job("EURPLN", submission(a, key_a, "g-1")),
        Job("EURPLN", submission(b, key_b, "g-2")),
        Job("EURPLN", submission(a, key_a, "g-3")),
    ]


def test_a_group_is_one_acceptance_with_every_record_of_its_requests_API_1_API_2_MKT_2(db):
    jobs = group_of_three()
    gateway.commit_orders(jobs)
    orders = [Order.objects.get(order_id=job.result["orderId"]) for job in jobs]
    assert [o.submit_id for o in orders] == ["g-1", "g-2", "g-3"]
    assert [o.seq for o in orders] == [1, 2, 3]
    assert {o.ordered_by for o in orders} == {"API/test…"}
    for job in jobs:
        row = Submission.objects.get(submit_id=job.payload.submit_id)
        assert row.result == job.result
        assert row.customer_id == job.payload.order.customer.pk
    assert UsedSignature.objects.count() == 3
    assert LedgerTransaction.objects.filter(kind="market_fx_reserve").count() == 3
    assert check_ledger().ok


def test_an_order_without_cover_is_left_out_and_the_rest_committed_MKT_2(db):
    """A group is one transaction, so one customer's refusal would fail it
    whole; that customer's requests are left out (the one-request path
    answers them) and the others' committed."""
    jobs = group_of_three(funds_of_b="5.00")
    gateway.commit_orders(jobs)
    assert isinstance(jobs[1].refused, InsufficientFunds) and jobs[1].result is None
    assert [jobs[0].refused, jobs[2].refused] == [None, None]
    assert sorted(Order.objects.values_list("submit_id", flat=True)) == ["g-1", "g-3"]
    assert sorted(Submission.objects.values_list("submit_id", flat=True)) == ["g-1", "g-3"]
    assert UsedSignature.objects.count() == 2
    assert check_ledger().ok


def test_a_group_whose_every_order_is_refused_fails_whole_MKT_2(db):
    b = make_customer(email="b@example.com")
    fund(b, "5.00", "EUR")
    key_b = make_api_key(b)[0]
    jobs = [Job("EURPLN", submission(b, key_b, "g-1")), Job("EURPLN", submission(b, key_b, "g-2"))]
    with pytest.raises(InsufficientFunds):
        gateway.commit_orders(jobs)
    assert not Order.objects.exists()
    assert not Submission.objects.exists()
    assert not UsedSignature.objects.exists()
    assert check_ledger().ok


def test_a_used_submit_id_or_signature_is_left_out_of_its_group_API_1_API_2(db):
    a = make_customer(email="a@example.com")
    fund(a, "100.00", "EUR")
    key = make_api_key(a)[0]
    gateway.commit_orders([Job("EURPLN", submission(a, key, "first"))])
    replayed = submission(a, key, "other")
    replayed = gateway.OrderSubmission(
        **{f: getattr(replayed, f) for f in replayed.__slots__}
        | {"signature": SignatureUse(f"{'first':0>64}", datetime.now(UTC), key.pk)}
    )
    jobs = [
        Job("EURPLN", submission(a, key, "new-1")),
        Job("EURPLN", submission(a, key, "first")),  # the same submitId again
        Job("EURPLN", replayed),  # a signature used before
        Job("EURPLN", submission(a, key, "new-2")),
    ]
    gateway.commit_orders(jobs)
    assert [job.refused is None for job in jobs] == [True, False, False, True]
    assert sorted(Order.objects.values_list("submit_id", flat=True)) == ["first", "new-1", "new-2"]
    assert UsedSignature.objects.count() == 3
    assert check_ledger().ok


def test_a_submit_id_repeated_within_a_group_is_left_out_API_1(db):
    """A client's retry racing its first try lands in the same group: the
    first goes in, the repeat is refused alone (the one-request path
    replays it), the neighbours are not disturbed."""
    a = make_customer(email="a@example.com")
    fund(a, "100.00", "EUR")
    key = make_api_key(a)[0]
    retry = submission(a, key, "twice")
    retry = gateway.OrderSubmission(
        **{f: getattr(retry, f) for f in retry.__slots__}
        | {"signature": SignatureUse("e" * 64, datetime.now(UTC), key.pk)}
    )
    jobs = [
        Job("EURPLN", submission(a, key, "other")),
        Job("EURPLN", submission(a, key, "twice")),
        Job("EURPLN", retry),
    ]
    gateway.commit_orders(jobs)
    assert [job.refused is None for job in jobs] == [True, True, False]
    assert sorted(Order.objects.values_list("submit_id", flat=True)) == ["other", "twice"]
    assert UsedSignature.objects.count() == 2
    assert check_ledger().ok


def test_a_customer_owing_fees_is_left_out_of_the_group_FEE_2(db):
    a, b = make_customer(email="a@example.com"), make_customer(email="b@example.com")
    for c in (a, b):
        fund(c, "100.00", "EUR")
    owe_fees(b)
    key_a, key_b = make_api_key(a)[0], make_api_key(b)[0]
    jobs = [Job("EURPLN", submission(a, key_a, "f-1")), Job("EURPLN", submission(b, key_b, "f-2"))]
    gateway.commit_orders(jobs)
    assert jobs[0].result is not None
    assert jobs[1].refused.code == "FEES_IN_ARREARS"
    assert list(Order.objects.values_list("submit_id", flat=True)) == ["f-1"]


def test_the_answer_is_recorded_for_replay_and_its_signature_spent_API_1_API_2(customer):
    fund(customer, "100.00", "EUR")
    client = ApiClient(make_api_key(customer)[1])
    first = client.post(ORDERS, order_form("once"))
    assert first["success"] is True and first["duplicate"] is False
    assert Submission.objects.get(submit_id="once").result == first["result"]
    assert UsedSignature.objects.count() == 1
    # a new signature, the same submitId: the first answer again
    again = client.post(ORDERS, order_form("once"))
    assert again == {**first, "duplicate": True}
    assert Order.objects.count() == 1


def test_a_replayed_signature_is_refused_API_2(customer):
    fund(customer, "100.00", "EUR")
    client = ApiClient(make_api_key(customer)[1])
    ts = client._fresh_timestamp()
    body = "&".join(f"{k}={v}" for k, v in order_form("sig-1").items())
    signature = client.headers(ORDERS, body, sign_it=True, ts=ts, signature=None)
    first = client.post(ORDERS, body, ts=ts, signature=signature["X-API-Signature"])
    assert first["success"] is True
    replay = client.post(ORDERS, body, ts=ts, signature=signature["X-API-Signature"])
    assert replay["errors"][0]["key"] == "INVALID_SIGNATURE"
    assert Order.objects.count() == 1


def test_a_request_refused_before_the_view_still_spends_its_signature_API_2(customer):
    client = ApiClient(make_api_key(customer)[1])
    ts = client._fresh_timestamp()
    body = "&".join(f"{k}={v}" for k, v in order_form("bad", volume="1.234").items())
    signature = client.headers(ORDERS, body, sign_it=True, ts=ts, signature=None)
    refused = client.post(ORDERS, body, ts=ts, signature=signature["X-API-Signature"])
    assert refused["errors"][0]["key"] == "INVALID_ARGUMENTS"
    assert UsedSignature.objects.count() == 1
    replay = client.post(ORDERS, body, ts=ts, signature=signature["X-API-Signature"])
    assert replay["errors"][0]["key"] == "INVALID_SIGNATURE"


def test_a_refused_group_answers_each_request_alone(customer, monkeypatch):
    """A group that fails (here: always) leaves every request to the one-request
    path, which records the signature and executes it on its own."""

    def refuse(group):
        raise RuntimeError("the group failed")

    monkeypatch.setattr(gateway, "_group", GroupCommit(refuse))
    fund(customer, "100.00", "EUR")
    client = ApiClient(make_api_key(customer)[1])
    answer = client.post(ORDERS, order_form("alone"))
    assert answer["success"] is True
    assert Submission.objects.get(submit_id="alone").result == answer["result"]
    assert UsedSignature.objects.count() == 1
    refused = client.post(ORDERS, order_form("poor", volume="1000.00"))
    assert refused["errors"][0]["key"] == "INSUFFICIENT_FUNDS"
    assert UsedSignature.objects.count() == 2


def test_with_group_commit_off_orders_are_accepted_one_by_one(customer, settings, monkeypatch):
    settings.KANTOR_API_ORDER_GROUP_COMMIT = False
    monkeypatch.setattr(gateway, "_group", None)  # never reached
    fund(customer, "100.00", "EUR")
    client = ApiClient(make_api_key(customer)[1])
    answer = client.post(ORDERS, order_form("off"))
    assert answer["success"] is True
    assert Order.objects.get(submit_id="off").order_id.hex == answer["result"]["orderId"].replace(
        "-", ""
    )


@pytest.mark.postgres
def test_concurrent_requests_share_transactions_and_all_are_accepted_on_postgres(db, monkeypatch):
    """Six signed requests at once on real connections: the first leads alone
    while the other five queue, then they commit as one group."""
    clients = []
    for n in range(6):
        c = make_customer(email=f"g{n}@example.com")
        fund(c, "100.00", "EUR")
        clients.append(ApiClient(make_api_key(c)[1]))
    group = GroupCommit(gateway.commit_orders)

    def first_waits(jobs):
        if group.groups == 0:
            deadline = time.monotonic() + 10
            while len(group._queue) < 5 and time.monotonic() < deadline:
                time.sleep(0.005)
        gateway.commit_orders(jobs)

    group._commit = first_waits
    monkeypatch.setattr(gateway, "_group", group)
    answers: dict[int, dict] = {}

    def send(n: int) -> None:
        answers[n] = clients[n].post(ORDERS, order_form(f"c-{n}"))

    in_threads(send, range(6))
    assert all(answers[n]["success"] for n in range(6)), answers
    assert (group.groups, group.jobs) == (2, 6)
    seqs = sorted(Order.objects.values_list("seq", flat=True))
    assert seqs == list(range(1, 7))
    assert Submission.objects.count() == UsedSignature.objects.count() == 6
    assert check_ledger().ok


@pytest.mark.postgres
def test_a_group_waits_for_a_lock_no_longer_than_its_lock_timeout(db, settings, monkeypatch):
    """A leader blocked on a lock would hold its whole group: the group's
    transaction carries ``KANTOR_API_ORDER_GROUP_LOCK_TIMEOUT_MS`` (past it
    the group fails and its requests wait alone, on the one-request path)."""
    settings.KANTOR_API_ORDER_GROUP_LOCK_TIMEOUT_MS = 250
    seen = []
    real = gateway.actions.place_orders

    def place_orders(*args, **kwargs):
        with connection.cursor() as cursor:
            cursor.execute("SHOW lock_timeout")
            seen.append(cursor.fetchone()[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(gateway.actions, "place_orders", place_orders)
    a = make_customer(email="a@example.com")
    fund(a, "100.00", "EUR")
    gateway.commit_orders([Job("EURPLN", submission(a, make_api_key(a)[0], "t-1"))])
    assert seen == ["250ms"]
    with connection.cursor() as cursor:  # SET LOCAL: gone with the group's transaction
        cursor.execute("SHOW lock_timeout")
        assert cursor.fetchone()[0] == "0"


@pytest.mark.postgres
def test_every_stamp_of_a_cached_key_is_checked_even_two_of_one_key_API_2(db):
    """Order entry's key cache: one key can come with two stamps in a group
    (an old entry's and a fresh read's). The old one must not hide behind the
    fresh one: that key's requests are left out, the other key's commit."""
    from kantor.api.auth import _find_key

    a, b = make_customer(email="a@example.com"), make_customer(email="b@example.com")
    for c in (a, b):
        fund(c, "100.00", "EUR")
    key_a, key_b = make_api_key(a)[0], make_api_key(b)[0]
    fresh_a = _find_key(key_a.key_hash, stamped=True).kantor_stamp
    fresh_b = _find_key(key_b.key_hash, stamped=True).kantor_stamp

    def stamped(customer, key, submit_id, stamp):
        sub = submission(customer, key, submit_id)
        return gateway.OrderSubmission(
            **{f: getattr(sub, f) for f in sub.__slots__} | {"key_stamp": stamp}
        )

    jobs = [
        Job("EURPLN", stamped(a, key_a, "a-1", "0" * 32)),  # read before a change (sorts first)
        Job("EURPLN", stamped(a, key_a, "a-2", fresh_a)),
        Job("EURPLN", stamped(b, key_b, "b-1", fresh_b)),
    ]
    gateway.commit_orders(jobs)
    assert [job.refused is None for job in jobs] == [False, False, True]
    assert list(Order.objects.values_list("submit_id", flat=True)) == ["b-1"]
    with pytest.raises(gateway.StaleKeys):
        gateway.commit_orders([Job("EURPLN", stamped(a, key_a, "a-again", "0" * 32))])


def _lose_the_commit(monkeypatch, *, committed: bool) -> list:
    """The group's ``COMMIT`` fails in transit: after the server committed
    (``committed``) or before. Returns the failures seen."""
    real, failures = connection._commit, []

    def commit():
        if not failures:
            failures.append(1)
            if committed:
                real()
            raise OperationalError("server closed the connection unexpectedly")
        return real()

    monkeypatch.setattr(connection, "_commit", commit)
    return failures


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_group_committed_though_its_connection_failed_answers_committed_API_1_API_2(
    monkeypatch,
):
    """An unknown COMMIT outcome is looked up: the group did commit, so its
    requests are answered with their orders, not refused as replays."""
    jobs = group_of_three()
    failures = _lose_the_commit(monkeypatch, committed=True)
    gateway.commit_orders(jobs)
    assert failures
    assert [job.refused for job in jobs] == [None, None, None]
    orders = [Order.objects.get(order_id=job.result["orderId"]) for job in jobs]
    assert [o.submit_id for o in orders] == ["g-1", "g-2", "g-3"]
    assert check_ledger().ok


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_group_lost_before_its_commit_fails_whole_API_1(monkeypatch):
    jobs = group_of_three()
    failures = _lose_the_commit(monkeypatch, committed=False)
    with pytest.raises(OperationalError):
        gateway.commit_orders(jobs)
    assert failures
    assert not Order.objects.exists()
    assert not Submission.objects.exists()
    assert check_ledger().ok


@pytest.mark.postgres
def test_a_commit_still_in_progress_is_waited_for_API_1_API_2():
    """PostgreSQL's own word on a transaction whose COMMIT lost its
    connection: in progress (its rows not visible yet: say it waits for a
    synchronous standby) is waited for, then committed or aborted."""
    import psycopg

    settings = connection.settings_dict
    other = psycopg.connect(
        host=settings["HOST"], port=settings["PORT"] or 5432, user=settings["USER"],
        dbname=settings["NAME"],
    )  # fmt: skip
    try:
        xid = other.execute("SELECT txid_current()").fetchone()[0]
        assert gateway._final_status(xid, wait=0.1) is None  # still in progress
        threading.Timer(0.2, other.commit).start()
        assert gateway._final_status(xid, wait=5.0) == "committed"
        xid = other.execute("SELECT txid_current()").fetchone()[0]
        other.rollback()
        assert gateway._final_status(xid) == "aborted"
    finally:
        other.close()
