"""The scheduler runs due jobs once, late jobs catch up, a failing job doesn't stop others."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from kantor.ops import scheduler
from kantor.ops.models import JobState


@pytest.fixture
def only_jobs(monkeypatch):
    registry: dict = {}
    monkeypatch.setattr(scheduler, "_jobs", registry)
    return registry


@pytest.mark.django_db
def test_a_job_runs_when_due_and_not_again_before_its_interval(only_jobs):
    calls = []
    scheduler.register("t.tick", every=timedelta(seconds=10), run=calls.append)
    now = timezone.now()
    assert scheduler.run_due(now) == ["t.tick"]
    assert scheduler.run_due(now + timedelta(seconds=5)) == []
    assert scheduler.run_due(now + timedelta(seconds=10)) == ["t.tick"]
    assert calls == [now, now + timedelta(seconds=10)]
    assert JobState.objects.get(name="t.tick").runs == 2


@pytest.mark.django_db
def test_a_failing_job_is_recorded_and_the_others_still_run(only_jobs):
    def boom(now):
        raise RuntimeError("provider down")

    ran = []
    scheduler.register("a.boom", every=timedelta(seconds=1), run=boom)
    scheduler.register("b.fine", every=timedelta(seconds=1), run=ran.append)
    scheduler.run_due(timezone.now())
    assert ran
    assert JobState.objects.get(name="a.boom").last_error == "RuntimeError: provider down"


@pytest.mark.django_db
def test_time_until_the_next_job(only_jobs):
    scheduler.register("t.tick", every=timedelta(seconds=30), run=lambda now: None)
    now = timezone.now()
    assert scheduler.seconds_until_next(now) == 0.0
    scheduler.run_due(now)
    assert scheduler.seconds_until_next(now + timedelta(seconds=10)) == pytest.approx(20.0)


@pytest.mark.django_db
def test_a_job_with_its_own_transactions_runs_after_its_claim_committed(only_jobs):
    """A job that talks to the outside world (the outbox's dispatcher) runs
    outside the scheduler's transaction: its claim is committed first (no
    savepoint of the scheduler is open around it, here inside the test's own
    transaction), a failure is recorded, and a second worker at the same
    moment does not run it again."""
    seen = []
    depth = len(connection.savepoint_ids)

    def job(now):
        seen.append(
            (len(connection.savepoint_ids) - depth, JobState.objects.get(name="t.out").runs)
        )
        raise RuntimeError("mail server timeout")

    scheduler.register("t.out", every=timedelta(seconds=10), run=job, own_transactions=True)
    now = timezone.now()
    assert scheduler.run_due(now) == ["t.out"]
    state = JobState.objects.get(name="t.out")
    assert seen == [(0, 0)]
    assert (state.runs, state.last_error) == (1, "RuntimeError: mail server timeout")
    assert state.last_started_at == now and state.last_finished_at is not None
    job_ = scheduler.jobs()[0]
    assert scheduler.run_job(job_, now + timedelta(seconds=1)) is False  # just ran
    assert scheduler.run_job(job_, now + timedelta(seconds=10)) is True
