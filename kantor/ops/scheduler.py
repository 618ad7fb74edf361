"""Time-driven work: rate ticks, signature purges, deadlines (later: LOCK-10 expiry).

Apps register jobs in ``AppConfig.ready``::

    scheduler.register("rates.tick", every=timedelta(seconds=5), run=jobs.tick)

A job is a function of ``now`` that is idempotent and safe to run twice or
late: it looks at the state of the world at ``now`` rather than assuming it
runs on time. The worker (``kantor worker``) runs due jobs one at a time; a
job's row in ``JobState`` is locked while it runs (``SKIP LOCKED`` on
PostgreSQL), so several workers in production never run the same job at once.

A job that talks to the outside world (sending e-mail, rendering PDFs)
registers with ``own_transactions=True``: it is then claimed in a short
transaction and runs outside it, committing its own work in its own short
transactions — a mail server's timeout must not hold database locks (or, on
SQLite, the only write lock). Such a job must itself be safe when two
workers run it at once (the outbox claims messages ``SKIP LOCKED``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from .models import JobState

log = logging.getLogger("kantor.scheduler")


@dataclass(frozen=True)
class Job:
    name: str
    every: timedelta
    run: Callable[[datetime], object]
    own_transactions: bool = False


_jobs: dict[str, Job] = {}


def register(
    name: str,
    *,
    every: timedelta,
    run: Callable[[datetime], object],
    own_transactions: bool = False,
) -> None:
    _jobs[name] = Job(name, every, run, own_transactions)


def jobs() -> list[Job]:
    return [_jobs[name] for name in sorted(_jobs)]


def due_jobs(now: datetime) -> list[Job]:
    states = {s.name: s for s in JobState.objects.filter(name__in=list(_jobs))}
    due = []
    for job in jobs():
        state = states.get(job.name)
        if (
            state is None
            or state.last_started_at is None
            or state.last_started_at + job.every <= now
        ):
            due.append(job)
    return due


def run_job(job: Job, now: datetime) -> bool:
    """Run one job if no other worker is running it; False when skipped."""
    JobState.objects.get_or_create(name=job.name)
    if job.own_transactions:
        return _run_outside(job, now)
    with transaction.atomic():
        state = _locked_state(job)
        if state is None:
            return False
        state.last_started_at = now
        state.last_error = _run(job, now, atomic=True)
        state.last_finished_at = timezone.now()
        state.runs += 1
        state.save()
    return True


def _run_outside(job: Job, now: datetime) -> bool:
    """Claim the job (its start time, under its row lock) and run it after commit."""
    with transaction.atomic():
        state = _locked_state(job)
        if state is None or (
            state.last_started_at is not None and state.last_started_at + job.every > now
        ):
            return False  # another worker has it, or just ran it
        state.last_started_at = now
        state.save(update_fields=["last_started_at"])
    error = _run(job, now, atomic=False)
    JobState.objects.filter(name=job.name).update(
        last_error=error, last_finished_at=timezone.now(), runs=F("runs") + 1
    )
    return True


def _locked_state(job: Job) -> JobState | None:
    """The job's row, locked; None while another worker holds it (PostgreSQL)."""
    rows = JobState.objects.filter(name=job.name)
    if connection.vendor == "postgresql":
        rows = rows.select_for_update(skip_locked=True)
    return rows.first()


def _run(job: Job, now: datetime, *, atomic: bool) -> str:
    """Run the job (in a savepoint when ``atomic``); its error, or ""."""
    try:
        if atomic:
            with transaction.atomic():
                job.run(now)
        else:
            job.run(now)
    except Exception as exc:  # a failing job must not stop the others
        log.exception("job %s failed", job.name)
        return f"{type(exc).__name__}: {exc}"[:2000]
    return ""


def run_due(now: datetime | None = None) -> list[str]:
    now = now or timezone.now()
    return [job.name for job in due_jobs(now) if run_job(job, now)]


def seconds_until_next(now: datetime) -> float:
    states = {s.name: s for s in JobState.objects.filter(name__in=list(_jobs))}
    waits = []
    for job in jobs():
        state = states.get(job.name)
        if state is None or state.last_started_at is None:
            return 0.0
        waits.append((state.last_started_at + job.every - now).total_seconds())
    return max(0.0, min(waits, default=60.0))


def run_forever(stop: threading.Event, max_wait: float = 5.0) -> None:
    """The worker loop: run what is due, then wait for the next due job or stop."""
    log.info("scheduler started with jobs: %s", ", ".join(j.name for j in jobs()) or "none")
    while not stop.is_set():
        run_due()
        stop.wait(min(max_wait, seconds_until_next(timezone.now())) or 0.05)
