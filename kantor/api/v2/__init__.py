"""The Walutomat-compatible API v2.0.0 at ``/api/v2.0.0/`` (API-1).

Each area of the reference is a router in its own module; later endpoints
(market_fx, direct_fx exchanges, transfers, mt940) add a router here.
"""

from __future__ import annotations

from ..framework import make_api
from . import account, direct_fx

DESCRIPTION = """
Kantor's trading API, compatible with the Walutomat API v2.0.0: the same paths,
form-encoded requests, field names, enums and envelope. A client written for
Walutomat works when only its base URL changes.

**Envelope.** Every answer is HTTP 200 with `{"success": true, "result": ...}`
or `{"success": false, "errors": [{"key", "description", "errorData": [{"key",
"value"}], "trace"?}]}`; submitting endpoints add `"duplicate"`. Branch on the
error `key` (the reference's list); `OTHER` carries a `trace` to quote to support.

**Authentication.** `X-API-Key` on every call. Signed calls add
`X-API-Timestamp` (UTC ISO 8601, valid ±5 minutes) and `X-API-Signature`: the
base64 RSA-SHA256 (PKCS#1 v1.5) signature of `timestamp + path (with the query
string for GET, exactly as sent) + body`, made with the private key whose
public key you uploaded with the API key. A signature is accepted once; a
client signing twice within a second sends millisecond timestamps. Each
operation lists the roles it accepts (`x-c1-roles`).

**Duplicates and dry run.** Submitting endpoints take `submitId`: repeating a
request with the same `submitId` replays the first answer with
`"duplicate": true` and executes nothing; a different request under a used
`submitId` is refused (`INVALID_ARGUMENTS`, errorData `submitId`).
`dryRun=true` validates and answers without executing; it takes no `submitId`.
"""

api = make_api(
    title="Kantor API (Walutomat-compatible)",
    version="2.0.0",
    namespace="api-v2",
    description=DESCRIPTION,
)
api.add_router("", account.router)
api.add_router("", direct_fx.router)


# -- money in and out (issue 4): withdrawals (WD-1..4), the MT940 history (DOC-4)
from . import mt940, transfer  # noqa: E402

api.add_router("", transfer.router)
api.add_router("", mt940.router)


# -- the peer-to-peer market (issue 3): orders, close, best offers (MKT-1..12)
from . import market_fx  # noqa: E402

api.add_router("", market_fx.router)
