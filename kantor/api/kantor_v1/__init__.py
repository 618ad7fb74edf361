"""Kantor's own API extensions at ``/api/kantor/v1/`` (API-4).

What Walutomat's API lacks — rate-lock orders, exchange on deposit, deposit
instructions, statements — in the same conventions as v2.0.0: envelope, error
keys, API keys, signatures, roles, ``submitId``/``dryRun``
(``kantor.api.auth``, ``kantor.api.idempotency``). Each feature adds a router.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from ninja import Schema

from ..auth import public
from ..envelope import Envelope, ok
from ..formats import format_ts
from ..framework import make_api

api = make_api(
    title="Kantor API extensions",
    version="1",
    namespace="api-kantor-v1",
    description=(
        "Kantor's extensions to the Walutomat-compatible API (/api/v2.0.0/): the same "
        "envelope, error keys, authentication, signatures, roles, submitId and dryRun."
    ),
)


class Pong(Schema):
    ts: str


@api.get("/ping", response=Envelope[Pong], summary="Is the API up?", **public())
def ping(request: HttpRequest):
    """A public liveness check answering the server's time (clients check their clock)."""
    return ok({"ts": format_ts(timezone.now())})


# -- exchange with the operator (issue 5): rate lock (LOCK-1..15), exchange on deposit (FX-2)
from . import deposit_orders, rate_lock  # noqa: E402

api.add_router("", rate_lock.router)
api.add_router("", deposit_orders.router)


# -- money in and out (issue 4): deposit instructions (DEP-1), the CSV statement (DOC-4)
from . import banking  # noqa: E402

api.add_router("", banking.router)
