"""Waking a pair's matcher, and making sure only one matcher runs per pair.

Fills must be visible within milliseconds, without a matcher polling the
database in a sleep loop:

* PostgreSQL: the accepting transaction runs ``pg_notify('kantor_market',
  PAIR)``; PostgreSQL delivers it exactly when (and only if) the transaction
  commits. The matcher ``LISTEN``s on a dedicated connection.
* SQLite (``make run``): after commit the accepting process sends a datagram
  to the matcher's Unix socket ``<wake dir>/market-PAIR.sock``; nobody
  listening is fine (the matcher reads the log when it starts).

A notification that arrives while the matcher is busy waits in the
connection's or socket's queue, so none is lost between "nothing to do" and
"wait". The matcher's wait still has a timeout as a safety net (a lost
datagram), not as a polling loop.

One matcher per pair (two would book the same commands twice; the
compare-and-set on ``MatcherState.applied_seq`` would refuse the second
one's batches, but it should never start): on PostgreSQL a session advisory
lock per pair, held by the same dedicated connection, so it is released when
the process dies; on SQLite an ``flock`` on ``<wake dir>/market-PAIR.lock``.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import select
import socket
import zlib
from collections.abc import Iterable
from functools import partial
from pathlib import Path

from django.db import connection, transaction

from . import conf
from .errors import MatcherLocked

__all__ = ["CHANNEL", "MatcherSession", "ring"]

#: The NOTIFY channel; the payload is the pair code.
CHANNEL = "kantor_market"
#: First half of the advisory lock key: "KM".
_LOCK_CLASS = 0x4B4D

_sender: socket.socket | None = None


#: A select-list item that rings on PostgreSQL, for a statement the caller
#: runs anyway (one round trip less; ``kantor.market.actions._take_sequence``).
RING_SQL = f"pg_notify('{CHANNEL}', pair)"


def ring(code: str) -> None:
    """Wake ``code``'s matcher once the current transaction commits."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_notify(%s, %s)", [CHANNEL, code])
    else:
        # robust: a failing poke must not look like a failed commit to the
        # caller (the order gateway would answer committed orders as refused)
        transaction.on_commit(partial(_poke, code), robust=True)


def _socket_path(code: str) -> Path:
    return conf.wake_dir() / f"market-{code}.sock"


def _poke(code: str) -> None:
    global _sender
    try:
        if _sender is None:
            _sender = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            _sender.setblocking(False)
        _sender.sendto(code.encode(), str(_socket_path(code)))
    except OSError:
        pass  # no matcher listening (or its queue is full: it is awake anyway)


def lock_key(code: str) -> tuple[int, int]:
    return _LOCK_CLASS, zlib.crc32(code.encode()) & 0x7FFFFFFF


class MatcherSession:
    """The pairs' locks and wake-ups for one matcher process (see module docstring)."""

    def __init__(self, codes: Iterable[str]):
        self.codes = sorted(set(codes))
        self._pg = None
        self._files: list = []
        self._sockets: list[socket.socket] = []

    def __enter__(self) -> MatcherSession:
        try:
            if connection.vendor == "postgresql":
                self._open_postgres()
            else:
                self._open_sqlite()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- PostgreSQL ----------------------------------------------------------------
    def _open_postgres(self) -> None:
        import psycopg

        params = connection.get_connection_params()
        params = {k: v for k, v in params.items() if k not in ("cursor_factory", "context")}
        self._pg = psycopg.connect(**params, autocommit=True)
        for code in self.codes:
            row = self._pg.execute("SELECT pg_try_advisory_lock(%s, %s)", lock_key(code)).fetchone()
            if not row or not row[0]:
                raise MatcherLocked(
                    f"another matcher already runs {code}", error_data={"pair": code}
                )
        self._pg.execute(f"LISTEN {CHANNEL}")

    # -- SQLite --------------------------------------------------------------------
    def _open_sqlite(self) -> None:
        directory = conf.wake_dir()
        directory.mkdir(parents=True, exist_ok=True)
        for code in self.codes:
            fh = open(directory / f"market-{code}.lock", "a+")  # noqa: SIM115 - held open
            self._files.append(fh)
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise MatcherLocked(
                    f"another matcher already runs {code}", error_data={"pair": code}
                ) from None
        for code in self.codes:  # ours now: a stale socket file of a dead matcher goes
            path = _socket_path(code)
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            sock.bind(str(path))
            sock.setblocking(False)
            self._sockets.append(sock)

    # -- waiting -------------------------------------------------------------------
    def wait(self, timeout: float) -> set[str]:
        """Block until a wake-up (or ``timeout`` seconds); the pairs woken, drained."""
        if self._pg is not None:
            woken = {n.payload for n in self._pg.notifies(timeout=timeout, stop_after=1)}
            woken |= {n.payload for n in self._pg.notifies(timeout=0.0001)}
            return woken & set(self.codes)
        if not self._sockets:
            return set()
        ready, _, _ = select.select(self._sockets, [], [], timeout)
        woken: set[str] = set()
        for sock in ready:
            with contextlib.suppress(BlockingIOError):
                while True:
                    woken.add(sock.recv(64).decode(errors="replace"))
        return woken & set(self.codes)

    def close(self) -> None:
        if self._pg is not None:
            with contextlib.suppress(Exception):
                self._pg.close()  # releases the advisory locks
            self._pg = None
        for sock in self._sockets:
            with contextlib.suppress(OSError):
                path = sock.getsockname()
                sock.close()
                if path:
                    os.unlink(path)
        self._sockets = []
        for fh in self._files:
            fh.close()  # releases the flock
        self._files = []
