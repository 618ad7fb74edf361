"""``kantor.core.groupcommit``: one leader commits what queued behind it, all or nothing."""

from __future__ import annotations

import threading

import pytest

from kantor.core.groupcommit import GroupCommit


class Recorder:
    """A commit that waits for ``gate`` on its first group, so that others queue."""

    def __init__(self, fail_when=lambda group: False):
        self.groups: list[list] = []
        self.gate = threading.Event()
        self.entered = threading.Event()
        self.fail_when = fail_when

    def __call__(self, group):
        if not self.groups:
            self.entered.set()
            assert self.gate.wait(10)
        self.groups.append([job.payload for job in group])
        if self.fail_when(group):
            raise ValueError("refused")
        for job in group:
            job.result = ("done", job.payload)


def run_all(gc: GroupCommit, recorder: Recorder, first, rest, key=lambda p: "EURPLN"):
    """``first`` leads alone; ``rest`` queue while it commits; returns jobs by payload."""
    jobs: dict = {}

    def send(payload):
        jobs[payload] = gc.run(key(payload), payload)

    leader = threading.Thread(target=send, args=(first,))
    leader.start()
    assert recorder.entered.wait(10)
    others = [threading.Thread(target=send, args=(p,)) for p in rest]
    for t in others:
        t.start()
    # every follower is queued before the leader may finish
    for _ in range(1000):
        with gc._lock:
            if len(gc._queue) == len(rest):
                break
        threading.Event().wait(0.005)
    recorder.gate.set()
    for t in [leader, *others]:
        t.join(10)
    return jobs


def test_requests_arriving_during_a_commit_are_committed_together_by_one_leader():
    recorder = Recorder()
    gc = GroupCommit(recorder)
    jobs = run_all(gc, recorder, 0, [1, 2, 3, 4])
    assert recorder.groups[0] == [0]
    assert sorted(recorder.groups[1]) == [1, 2, 3, 4]
    assert len(recorder.groups) == 2
    assert all(jobs[p].result == ("done", p) and jobs[p].refused is None for p in range(5))
    assert (gc.groups, gc.jobs) == (2, 5)


def test_a_group_holds_one_key_only_and_the_next_key_gets_the_next_leader():
    recorder = Recorder()
    gc = GroupCommit(recorder)
    jobs = run_all(gc, recorder, 0, [1, 2, 3, 4], key=lambda p: "EURPLN" if p % 2 else "USDPLN")
    assert recorder.groups[0] == [0]
    assert sorted(map(sorted, recorder.groups[1:])) == [[1, 3], [2, 4]]
    assert all(jobs[p].result == ("done", p) for p in range(5))


def test_a_refused_group_refuses_every_job_in_it_and_the_others_still_commit():
    recorder = Recorder(fail_when=lambda group: any(job.payload == 3 for job in group))
    gc = GroupCommit(recorder)
    jobs = run_all(gc, recorder, 0, [1, 2, 3])
    assert jobs[0].result == ("done", 0)
    for p in (1, 2, 3):
        assert jobs[p].result is None
        assert isinstance(jobs[p].refused, ValueError)


def test_max_group_splits_a_long_queue():
    recorder = Recorder()
    gc = GroupCommit(recorder, max_group=2)
    jobs = run_all(gc, recorder, 0, [1, 2, 3, 4, 5])
    assert [len(g) for g in recorder.groups] == [1, 2, 2, 1]
    assert all(jobs[p].result == ("done", p) for p in range(6))


def test_a_lone_request_leads_and_commits_alone():
    seen = []

    def commit(group):
        seen.append(len(group))
        for job in group:
            job.result = "ok"

    gc = GroupCommit(commit)
    assert [gc.run("EURPLN", n).result for n in range(3)] == ["ok", "ok", "ok"]
    assert seen == [1, 1, 1]


def test_an_interrupted_leader_still_releases_its_group():
    def commit(group):
        raise KeyboardInterrupt

    gc = GroupCommit(commit)
    with pytest.raises(KeyboardInterrupt):
        gc.run("EURPLN", 1)
    assert not gc._leading
    # the next request leads normally
    gc._commit = lambda group: [setattr(job, "result", "ok") for job in group]
    assert gc.run("EURPLN", 2).result == "ok"
