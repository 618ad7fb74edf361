"""Concurrency tests' threads: each call in a thread of its own, at once."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any

from django.db import connection


def in_threads(target: Callable[[Any], None], arguments: Iterable[Any], *, timeout=30.0) -> None:
    """``target(argument)`` for each argument, each in a thread of its own with
    its own database connection (closed when it is done); waits for all, at
    most ``timeout`` seconds each."""

    def run(argument: Any) -> None:
        try:
            target(argument)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(a,)) for a in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
