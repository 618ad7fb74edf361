"""Group commit: requests that arrive together share one database transaction.

A web process answers many order requests at once (one thread each); each
request alone would pay a transaction of its own — a dozen round trips and a
WAL flush — for a few rows. ``GroupCommit`` lets them share: the first
request to arrive becomes the *leader* and commits, in one transaction, every
request queued behind it (its *group*); the others wait and take their
outcomes. When the leader is done it hands the lead to the first request
that queued meanwhile. No extra thread and no connection of its own: the
leader commits on its own request's connection, so it works the same in a
test's transaction, on SQLite and under gunicorn's threads.

All or nothing: ``commit(group)`` either fills in every job's ``result`` or
raises; then every job of the group is ``refused`` and its caller takes the
one-request-at-a-time path, which answers each request on its own merits
(a group fails whole when one of it is refused, so that path must decide
which). A group holds jobs with the same ``key`` only (one market pair:
one sequence row, one matcher to wake).
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError

__all__ = ["GroupCommit", "Job"]

log = logging.getLogger(__name__)


@dataclass(eq=False)
class Job:
    """One request's work, and its outcome once its group committed."""

    key: Hashable
    payload: Any
    result: Any = None
    #: The group failed: nothing of this job was written; the caller decides alone.
    refused: BaseException | None = None
    _done: threading.Event = field(default_factory=threading.Event, repr=False)
    _lead: bool = field(default=False, repr=False)


class GroupCommit:
    """See the module docstring. ``commit`` runs in the leader's thread and
    must set ``job.result`` for every job of the group it is given."""

    def __init__(self, commit: Callable[[list[Job]], None], *, max_group: int = 64):
        self._commit = commit
        self._max_group = max_group
        self._lock = threading.Lock()
        self._queue: deque[Job] = deque()
        self._leading = False
        #: Groups committed and jobs in them (for the benchmark's report).
        self.groups = 0
        self.jobs = 0

    def run(self, key: Hashable, payload: Any) -> Job:
        """Queue ``payload`` and return its job once its group is committed (or refused)."""
        job = Job(key, payload)
        with self._lock:
            self._queue.append(job)
            if not self._leading:
                self._leading = job._lead = True
        if not job._lead:
            job._done.wait()
            if not job._lead:
                return job
        self._lead_one_group()
        return job

    def _lead_one_group(self) -> None:
        with self._lock:
            key = self._queue[0].key
            group = [j for j in self._queue if j.key == key][: self._max_group]
            for job in group:
                self._queue.remove(job)
        try:
            self._commit(group)
            self.groups += 1
            self.jobs += len(group)
        except Exception as exc:  # every job goes its own way; nothing was written
            # a refusal (a domain error's code, a unique index) is routine
            routine = getattr(exc, "code", None) or isinstance(exc, IntegrityError)
            level = logging.DEBUG if routine else logging.WARNING
            log.log(level, "group of %d refused: %r", len(group), exc)
            for job in group:
                job.result, job.refused = None, exc
        finally:
            with self._lock:
                if self._queue:
                    successor = self._queue[0]
                    successor._lead = True
                    successor._done.set()
                else:
                    self._leading = False
            for job in group:
                if job.result is None and job.refused is None:  # interrupted
                    job.refused = RuntimeError("the group's leader was interrupted")
                job._lead = False
                job._done.set()
