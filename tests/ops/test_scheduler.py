"""The scheduler runs due jobs once, late jobs catch up, a failing job doesn't stop others."""

from __future__ import annotations

from datetime import timedelta

import pytest
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
