"""The order gateway: signed ``POST /market_fx/orders`` committed in groups.

One order request alone costs a transaction of its own: the signature's
record (API-2), the ``Submission`` (API-1), the MKT-2 reservation, the
order and its sequence number — a dozen round trips and a WAL flush for a
few rows. Requests that arrive together in one web process share one
transaction instead (``kantor.core.groupcommit``: the first of them leads and
commits the group; docs/PERFORMANCE.md measures it):

1. every signature of the group is recorded (``UsedSignature``);
2. every ``Submission`` is written with its answer, so a repeat replays it;
3. on PostgreSQL, in the same round trip: the pair is still offered (orders
   are validated against a cached market, ``kantor.market.pairs.order_markets``)
   and cached API keys are unchanged (``auth.KeyCache``);
4. ``place_orders`` accepts the orders of one pair in one reservation batch
   with one range of sequence numbers (``kantor.market.actions``).

The answer of each request is exactly the one-request path's. Only requests
that can go together are grouped: a real order (not a dry run) with a
``submitId`` that passes ``validate_order``. A group is one transaction, all
or nothing; when a request's own refusal fails it (insufficient funds, fees
in arrears, a ``submitId`` used before, a replayed signature) that request is
left out and the rest committed. A connection lost at ``COMMIT`` leaves the
outcome unknown: the group's answers are looked up before anyone is told
(``_committed_anyway``). Anything else — the requests left out, and every
request of a group that fails otherwise (a lost connection) — is answered
by the one-request path (``idempotency.submit``), which records the
signature first and decides the request on its own.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import (
    DatabaseError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    connection,
    transaction,
)
from django.http import HttpRequest
from django.utils import timezone

from kantor.core.bulk import execute_together, insert_sql, is_postgres
from kantor.core.groupcommit import GroupCommit, Job
from kantor.core.ids import uuid4s
from kantor.ledger.posting import InsufficientFunds
from kantor.market import actions
from kantor.market.errors import FeesInArrears
from kantor.market.pairs import order_markets
from kantor.market.validation import OrderRequest, validate_order
from kantor.rates.errors import PairNotOffered

from .auth import KEY_STAMP_SQL, caller, order_keys, ordered_by
from .idempotency import request_fingerprint
from .models import Submission, UsedSignature
from .signing import SignatureUse, take_pending

__all__ = ["OrderSubmission", "commit_orders", "enabled", "place"]


@dataclass(frozen=True, slots=True)
class OrderSubmission:
    """One validated order request, with what API-1 and API-2 record of it."""

    order: OrderRequest
    submit_id: str
    ordered_by: str
    api_key_id: int
    path: str
    fingerprint: str
    signature: SignatureUse | None
    #: The stamp of the key and customer rows this request was authenticated
    #: with, when they came from order entry's cache (``auth.KeyCache``).
    key_stamp: str | None = None


class StaleKeys(Exception):
    """Keys (or their customers) changed since order entry's cache read them."""

    code = "STALE_API_KEY"  # routine: the group commit logs it at debug

    def __init__(self, key_ids: set[int]):
        super().__init__(f"API keys changed since they were cached: {sorted(key_ids)}")
        self.key_ids = key_ids


def enabled() -> bool:
    return bool(getattr(settings, "KANTOR_API_ORDER_GROUP_COMMIT", True))


def place(request: HttpRequest, submit_id: str, order_args: Sequence[Any]) -> dict | None:
    """The request's ``result`` once its group committed, or None: the
    one-request path must answer it (module docstring)."""
    api_key = caller(request)
    try:
        market = order_markets.find(order_args[0])  # offered? re-checked where it writes
        order = validate_order(api_key.customer, *order_args, check_arrears=False, market=market)
    except Exception:  # the one-request path refuses it with the right key
        return None
    channel, fingerprint = ordered_by(api_key), request_fingerprint(request)
    signature = take_pending(request)  # last: nothing below raises before the group
    submission = OrderSubmission(
        order=order,
        submit_id=submit_id,
        ordered_by=channel,
        api_key_id=api_key.pk,
        path=request.path[:200],
        fingerprint=fingerprint,
        signature=signature,
        key_stamp=getattr(api_key, "kantor_stamp", None),
    )
    job = _group.run(order.pair.code, submission)
    if job.refused is not None:
        if signature is not None:  # still to be recorded, by the one-request path
            request.kantor_signature = signature  # type: ignore[attr-defined]
        return None
    return job.result


def commit_orders(jobs: list[Job]) -> None:
    """Commit a group of ``OrderSubmission`` jobs of one pair, all or nothing —
    but a request whose own refusal fails the group (its customer's funds or
    unpaid fees, a ``submitId`` or signature used before or earlier in the
    group) is left out and the rest tried again, so one client's refusals
    do not send everyone else down the slow path. The requests left out are
    ``refused``: the one-request path answers them. Each try is a transaction
    of its own (there is no outer one: a web request runs without
    ``ATOMIC_REQUESTS``).
    """
    live = _without_repeats(jobs)
    while True:
        try:
            _commit_group(live)
            return
        except (InsufficientFunds, FeesInArrears, IntegrityError, StaleKeys) as exc:
            culprits = _culprits(live, exc)
            if not culprits or len(culprits) == len(live):
                raise
            for job in culprits:
                job.refused = exc
            live = [job for job in live if job.refused is None]


def _without_repeats(jobs: list[Job]) -> list[Job]:
    """The jobs that do not repeat an earlier job of the group — its customer's
    ``submitId`` or its signature (a client's retry racing its first try);
    a repeat is refused alone (the one-request path replays or refuses it),
    since the unique index would fail the whole group."""
    seen_ids: set[tuple[int, str]] = set()
    seen_signatures: set[str] = set()
    live = []
    for job in jobs:
        sub: OrderSubmission = job.payload
        submission = (sub.order.customer.pk, sub.submit_id)
        digest = sub.signature.digest if sub.signature is not None else None
        if submission in seen_ids or digest in seen_signatures:
            job.refused = IntegrityError(f"repeated within its group: {sub.submit_id}")
            continue
        seen_ids.add(submission)
        if digest is not None:
            seen_signatures.add(digest)
        live.append(job)
    return live


def _commit_group(jobs: list[Job]) -> None:
    """One transaction for the whole group (see ``commit_orders``).

    Rows go in the order the one-request path writes them — signatures,
    ``Submission`` rows, then the accounts' and the pair's locks in
    ``place_orders`` — so a group and a lone request never wait for each
    other's locks in opposite orders; the orders' ids are made here so that
    the answers are known before the locks are taken. Signatures go in
    digest order (two groups holding each other's replays cannot deadlock).
    """
    subs: list[OrderSubmission] = [job.payload for job in jobs]
    order_ids = uuid4s(len(subs))
    results = [{"orderId": str(order_id)} for order_id in order_ids]
    signatures = sorted((s.signature for s in subs if s.signature), key=lambda u: u.digest)
    written, xid = False, None
    try:
        with transaction.atomic():
            xid = _record(signatures, subs, results)
            actions.place_orders(
                [s.order for s in subs],
                submit_ids=[s.submit_id for s in subs],
                ordered_by=[s.ordered_by for s in subs],
                order_ids=order_ids,
            )
            written = True  # what fails from here on is the COMMIT
    except (OperationalError, InterfaceError):
        if not written or not _committed_anyway(subs, results, xid):
            raise
    for job, result in zip(jobs, results, strict=True):
        job.result = result


def _committed_anyway(
    subs: list[OrderSubmission], results: list[dict], xid: int | None = None
) -> bool:
    """Did the group commit although its connection failed? A connection lost
    at ``COMMIT`` leaves the outcome unknown; if the transaction did commit,
    the one-request path would refuse every request's spent signature as a
    replay (API-2) and the client would never hear of its order. So ask, on
    a new connection, before anyone answers: on PostgreSQL the transaction's
    own status (``xid``, waiting while it is still committing — say for a
    synchronous standby — when its rows are not visible yet); elsewhere, or
    when PostgreSQL no longer knows the transaction, whether the group's
    ``Submission`` answers (API-1) are there, each with the order id this
    group made."""
    if connection.in_atomic_block:  # a caller's transaction: nothing was committed
        return False
    wanted = {(s.order.customer.pk, s.submit_id): r for s, r in zip(subs, results, strict=True)}
    try:
        connection.close()
        status = _final_status(xid) if xid is not None else None
        if status is not None:
            return status == "committed"
        stored = {
            (customer_id, submit_id): result
            for customer_id, submit_id, result in Submission.objects.filter(
                customer_id__in={c for c, _ in wanted}, submit_id__in={i for _, i in wanted}
            ).values_list("customer_id", "submit_id", "result")
        }
    except DatabaseError:  # still no database: the group failed, as it says
        return False
    return all(stored.get(key) == result for key, result in wanted.items())


def _final_status(xid: int, *, wait: float = 5.0) -> str | None:
    """PostgreSQL's ``txid_status``: "committed" or "aborted" once decided;
    None if it no longer knows the transaction or it is still in progress
    after ``wait`` seconds."""
    deadline = time.monotonic() + wait
    with connection.cursor() as cursor:
        while True:
            cursor.execute("SELECT txid_status(%s)", [xid])
            status = cursor.fetchone()[0]
            if status != "in progress" or time.monotonic() > deadline:
                return status if status in ("committed", "aborted") else None
            time.sleep(0.02)


def _culprits(jobs: list[Job], exc: Exception) -> list[Job]:
    """The jobs whose own refusal ``exc`` is: the customer short of funds or
    owing fees, or — for a unique index — a ``submitId`` or signature that
    was recorded before (looked up now: only a failed group pays for it)."""
    subs = [job.payload for job in jobs]
    if isinstance(exc, StaleKeys):
        order_keys.forget(exc.key_ids)
        return [job for job, s in zip(jobs, subs, strict=True) if s.api_key_id in exc.key_ids]
    if isinstance(exc, InsufficientFunds):
        account = exc.account
        return [
            job
            for job, s in zip(jobs, subs, strict=True)
            if s.order.customer.pk == account.customer_id
            and s.order.reservation.currency.code == account.currency
        ]
    if isinstance(exc, FeesInArrears):
        return [
            job for job, s in zip(jobs, subs, strict=True) if s.order.customer.pk == exc.customer_id
        ]
    used_ids = set(
        Submission.objects.filter(
            customer_id__in={s.order.customer.pk for s in subs},
            submit_id__in={s.submit_id for s in subs},
        ).values_list("customer_id", "submit_id")
    )
    used_signatures = set(
        UsedSignature.objects.filter(
            signature_hash__in=[s.signature.digest for s in subs if s.signature]
        ).values_list("signature_hash", flat=True)
    )
    return [
        job
        for job, s in zip(jobs, subs, strict=True)
        if (s.order.customer.pk, s.submit_id) in used_ids
        or (s.signature is not None and s.signature.digest in used_signatures)
    ]


def _record(
    signatures: list[SignatureUse], subs: list[OrderSubmission], results: list[dict]
) -> int | None:
    """The group's signatures and ``Submission`` answers; on PostgreSQL both
    inserts in one round trip (``execute_together``), without model instances,
    with the group's checks; returns the transaction's id there (None
    elsewhere). Answers go in (customer, submitId) order, as signatures go in
    digest order: two groups repeating each other's ids cannot deadlock on
    the unique index."""
    answers = sorted(
        zip(subs, results, strict=True), key=lambda a: (a[0].order.customer.pk, a[0].submit_id)
    )
    if not is_postgres():
        UsedSignature.objects.bulk_create([use.as_row() for use in signatures])
        Submission.objects.bulk_create(
            [
                Submission(
                    customer_id=s.order.customer.pk,
                    submit_id=s.submit_id,
                    path=s.path,
                    fingerprint=s.fingerprint,
                    result=result,
                    api_key_id=s.api_key_id,
                )
                for s, result in answers
            ]
        )
        return None
    now = timezone.now()
    signature_rows = [(use.digest, use.signed_at, use.api_key_id) for use in signatures]
    submission_rows = [
        (s.order.customer.pk, s.submit_id, s.path, s.fingerprint, json.dumps(result),
         s.api_key_id, now)
        for s, result in answers
    ]  # fmt: skip
    statements = [
        insert_sql(
            "api_submission",
            "customer_id, submit_id, path, fingerprint, result, api_key_id, created_at",
            submission_rows,
        )
    ]
    if signature_rows:
        columns = "signature_hash, timestamp, api_key_id"
        statements.insert(0, insert_sql("api_usedsignature", columns, signature_rows))
    # A leader waiting for a lock keeps its whole group waiting: bound it.
    # Past the limit the group fails and each request waits alone (the
    # one-request path has no limit), as any failed group.
    limit = int(settings.KANTOR_API_ORDER_GROUP_LOCK_TIMEOUT_MS)
    statements.insert(0, (f"SET LOCAL lock_timeout = {limit:d}", None))
    # The group's checks, in the same round trip: the pair still offered (the
    # market was validated from a cache, ``order_markets``); cached keys still
    # as they were read — every (key, stamp) pair, since one key may come
    # with two stamps, an old entry's and a fresh one's, and each must hold;
    # and the transaction's id, should its COMMIT's outcome be unknown.
    code = subs[0].order.pair.code
    stamped = sorted({(s.api_key_id, s.key_stamp) for s, _ in answers if s.key_stamp})
    ids, stamps = [i for i, _ in stamped], [t for _, t in stamped]
    statements.append((_CHECKS, [code, ids, stamps]))
    found = execute_together(statements)
    if any(kind == "withdrawn" for kind, _ in found):  # each decided again, on a fresh read
        order_markets.forget(code)
        raise PairNotOffered(f"{code} is no longer offered")
    stale = {value for kind, value in found if kind == "stale key"}
    if stale:
        raise StaleKeys(stale)
    return next(value for kind, value in found if kind == "xid")


#: A group's checks, as (kind, value) rows: ("xid", the transaction's id);
#: ("withdrawn", NULL) when the operator no longer offers the pair ``%s``;
#: ("stale key", id) for each key among the (id, stamp) pairs whose rows
#: changed since they were stamped.
_CHECKS = (
    "SELECT 'xid', txid_current() "  # noqa: S608 (constants)
    "UNION ALL SELECT 'withdrawn', NULL WHERE NOT EXISTS "
    "(SELECT 1 FROM rates_offeredpair WHERE code = %s AND enabled) "
    "UNION ALL SELECT 'stale key', v.id FROM unnest(%s::bigint[], %s::text[]) AS v(id, stamp) "
    "LEFT JOIN customers_apikey k ON k.id = v.id "
    "LEFT JOIN customers_customer c ON c.id = k.customer_id "
    f"WHERE k.id IS NULL OR {KEY_STAMP_SQL} IS DISTINCT FROM v.stamp"
)

_group = GroupCommit(commit_orders, max_group=64)
