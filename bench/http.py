"""Benchmark: signed ``POST /api/v2.0.0/market_fx/orders`` over HTTP against gunicorn.

Run (from the repository root)::

    .venv/bin/python -m bench.http            # PostgreSQL and SQLite, 3 000 requests each
    .venv/bin/python -m bench.http --quick    # 500 requests each
    .venv/bin/python -m bench.http --db postgres --requests 5000 --clients 16

For each database: a fresh migrated database (as ``bench/market.py``: a
temporary SQLite file; ``KANTOR_BENCH_HTTP_DATABASE_URL`` or
``postgres://postgres@127.0.0.1:5432/kantor_bench_http``, dropped and created
again), 20 funded customers with API keys (RSA 2048: the client's signing
cost is not the server's; verifying 4096-bit signatures costs the server a
few hundredths of a millisecond more), then, as child processes: gunicorn
(``kantor.wsgi``, gthread, ``--workers`` × ``--threads``, DEBUG off) on a
free loopback port and the pair's matcher (``kantor market matcher``).

The load generator signs every request beforehand (timestamp + path + body,
as the reference; each with its own ``submitId``), then ``--clients`` keep-alive
connections (threads in ``--procs`` processes) send them as fast as the server
answers, for at most ``--max-seconds``. Each database runs twice (``--group-commit
both``): first with the order gateway's group commit off — one transaction
per request, the baseline — then on (``kantor.api.gateway``). Reported: requests/s, latency
p50/p90/p99/max, answers by error key, and — once the matcher has applied
every accepted order — the ledger check. Output: JSON lines on stdout.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

from bench.market import (
    PAIR,
    _recreate_postgres,
    _version,
    emit,
    machine,
    percentile,
    seed,
    stream,
)

DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/kantor_bench_http"
PATH = "/api/v2.0.0/market_fx/orders"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _signed_requests(n: int, keys: list[str]) -> list[tuple[str, str, str, str]]:
    """(api key, timestamp, signature, body) for ``n`` orders of workload B."""
    from tests.api.client import rsa_key, sign

    private = rsa_key()
    ops = [op for op in stream(n * 2, seed=99) if op[0] == "order"][:n]
    base = time.time()
    out = []
    for i, (_, who, side, volume, limit) in enumerate(ops):
        body = urlencode(
            {
                "submitId": f"bench-{i}",
                "currencyPair": PAIR,
                "buySell": side,
                "volume": f"{volume}.00",
                "volumeCurrency": "EUR",
                "limitPrice": str(limit),
            }
        )
        moment = base + i / 1000  # distinct millisecond timestamps
        ts = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(moment))
        ts += f".{int(moment * 1000) % 1000:03d}Z"
        out.append((keys[who], ts, sign(private, ts + PATH + body), body))
    return out


def _raw_requests(port: int, work: list) -> list[bytes]:
    """Each signed request as the bytes sent on the wire, encoded beforehand:
    the load generator shares the server's two cores, and ``http.client``
    spent a quarter of a millisecond of them per request."""
    out = []
    for key, ts, signature, body in work:
        payload = body.encode()
        head = (
            f"POST {PATH} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"X-API-Key: {key}\r\nX-API-Timestamp: {ts}\r\nX-API-Signature: {signature}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(payload)}\r\n\r\n"
        )
        out.append(head.encode() + payload)
    return out


def _read_response(sock: socket.socket, buffer: bytearray) -> tuple[int, bytes, bool]:
    """(status, body, keep-alive) of one HTTP/1.1 response; what follows it
    stays in ``buffer``. The server's answers carry a Content-Length; one
    without it (chunked, or read to the end) is not expected here and raises
    ``ValueError``, counted as a failed request."""
    while (end := buffer.find(b"\r\n\r\n")) < 0:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed before the headers")
        buffer += chunk
    lines = bytes(buffer[:end]).decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    fields = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        fields[name.strip().lower()] = value.strip()
    if "content-length" not in fields:
        raise ValueError(f"a response without Content-Length: {lines[0]}")
    length = int(fields["content-length"])
    while len(buffer) < end + 4 + length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed within the body")
        buffer += chunk
    body = bytes(buffer[end + 4 : end + 4 + length])
    del buffer[: end + 4 + length]
    return status, body, fields.get("connection", "").lower() != "close"


def _connect(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def _client(port: int, work: list[bytes], deadline: float, results: list) -> None:
    """One keep-alive connection sending ``work`` one request at a time; a
    new connection when the server closes one (or it fails)."""
    sock: socket.socket | None = None
    buffer = bytearray()
    for raw in work:
        if time.time() > deadline:
            break
        t0 = time.perf_counter()
        try:
            if sock is None:
                sock, buffer = _connect(port), bytearray()
            sock.sendall(raw)
            status, payload, keep_alive = _read_response(sock, buffer)
        except (OSError, ValueError, IndexError) as exc:
            results.append((time.perf_counter() - t0, f"transport:{type(exc).__name__}"))
            if sock is not None:
                sock.close()
            sock = None
            continue
        elapsed = time.perf_counter() - t0
        if not keep_alive:
            sock.close()
            sock = None
        try:
            answer = json.loads(payload)
            key_ = "ok" if answer.get("success") else answer["errors"][0]["key"]
        except (ValueError, KeyError, IndexError):
            key_ = f"http:{status}"
        results.append((elapsed, key_))
    if sock is not None:
        sock.close()


def _load_proc(port: int, work: list, threads: int, deadline: float, out) -> None:
    results: list = []
    parts = [work[i::threads] for i in range(threads)]
    pool = [threading.Thread(target=_client, args=(port, p, deadline, results)) for p in parts]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    out.put(results)


def _wait_http(port: int, timeout: float) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", f"/api/v2.0.0/market_fx/best_offers?currencyPair={PAIR}")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer")


def run_database(db: str, url: str, args) -> int:
    os.environ["KANTOR_DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kantor.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections

    from kantor.customers.models import Customer
    from kantor.ledger.invariants import check_ledger
    from kantor.market.models import MarketSequence, MatcherState
    from tests.api.client import make_api_key

    call_command("migrate", verbosity=0)
    seed()
    keys = [make_api_key(c)[1] for c in Customer.objects.filter(email__startswith="bench-")]
    version = _version(connection)
    connections.close_all()

    port = _free_port()
    requests = _raw_requests(port, _signed_requests(args.requests, keys))
    env = dict(os.environ, KANTOR_DEBUG="0", KANTOR_ALLOWED_HOSTS="127.0.0.1,localhost")
    env["KANTOR_SSL_REDIRECT"] = "0"
    env["KANTOR_API_ORDER_GROUP_COMMIT"] = "1" if args.group_commit == "on" else "0"
    gunicorn = [
        sys.executable, "-m", "gunicorn", "kantor.wsgi", "--bind", f"127.0.0.1:{port}",
        "--workers", str(args.workers), "--threads", str(args.threads),
        "--worker-class", "gthread", "--log-level", "warning",
    ]  # fmt: skip
    matcher_cmd = [sys.executable, "-m", "kantor.cli", "market", "matcher", "--pair", PAIR]
    children = [subprocess.Popen(gunicorn, env=env), subprocess.Popen(matcher_cmd, env=env)]
    try:
        _wait_http(port, 60)
        ctx = mp.get_context("fork")
        out = ctx.Queue()
        per_proc = max(1, args.clients // args.procs)
        t0 = time.time()
        deadline = t0 + args.max_seconds
        procs = [
            ctx.Process(
                target=_load_proc,
                args=(port, requests[i :: args.procs], per_proc, deadline, out),
            )
            for i in range(args.procs)
        ]
        for p in procs:
            p.start()
        results = [r for _ in procs for r in out.get()]
        for p in procs:
            p.join()
        elapsed = time.time() - t0
        latencies = [r[0] * 1000 for r in results]
        answers = Counter(r[1] for r in results)
        emit(
            {
                "bench": "http",
                "db": db,
                "vendor_version": version,
                "group_commit": args.group_commit == "on",
                "workers": args.workers,
                "threads": args.threads,
                "clients": per_proc * args.procs,
                "requests": len(results),
                "seconds": round(elapsed, 2),
                "requests_per_s": round(len(results) / elapsed),
                "orders_per_s": round(answers["ok"] / elapsed),
                "latency_ms_p50": percentile(latencies, 0.5),
                "latency_ms_p90": percentile(latencies, 0.9),
                "latency_ms_p99": percentile(latencies, 0.99),
                "latency_ms_max": round(max(latencies, default=0), 2),
                "answers": dict(answers),
            }
        )
        # the matcher applies what was accepted; then the books must balance
        target = MarketSequence.objects.get(pair=PAIR).last_seq
        give_up = time.time() + 120
        while time.time() < give_up:
            state = MatcherState.objects.filter(pair=PAIR).first()
            if state and state.applied_seq >= target:
                break
            time.sleep(0.2)
        report = check_ledger()
        state = MatcherState.objects.filter(pair=PAIR).first()
        emit(
            {
                "bench": "http",
                "db": db,
                "check": "ledger",
                "applied_all": bool(state and state.applied_seq >= target),
                "ledger_ok": report.ok,
                "problems": report.problems[:3],
            }
        )
        return 0 if report.ok else 1
    finally:
        for child in children:
            child.send_signal(signal.SIGTERM)
        for child in children:
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.http", description=__doc__)
    parser.add_argument("--db", choices=("postgres", "sqlite", "both"), default="both")
    parser.add_argument("--requests", type=int, help="signed orders to send (default 3 000)")
    parser.add_argument("--quick", action="store_true", help="500 requests")
    parser.add_argument("--workers", type=int, default=1, help="as kantor run (default 1)")
    parser.add_argument("--threads", type=int, default=16, help="as kantor run (default 16)")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--procs", type=int, default=2, help="load generator processes")
    parser.add_argument("--max-seconds", type=float, default=60.0)
    parser.add_argument(
        "--group-commit",
        choices=("on", "off", "both"),
        default="both",
        help="order gateway group commit; both: off (the baseline) then on, per database",
    )
    parser.add_argument("--run", nargs=2, metavar=("DB", "URL"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.requests = args.requests or (500 if args.quick else 3_000)
    if args.run:
        return run_database(args.run[0], args.run[1], args)

    emit({"bench": "http", "machine": machine(), "requests": args.requests})
    status = 0
    databases = ("postgres", "sqlite") if args.db == "both" else (args.db,)
    modes = ("off", "on") if args.group_commit == "both" else (args.group_commit,)
    for db, mode in [(db, mode) for db in databases for mode in modes]:
        tmp = Path(tempfile.mkdtemp(prefix="khttp"))
        try:
            if db == "postgres":
                url = os.environ.get("KANTOR_BENCH_HTTP_DATABASE_URL", DEFAULT_PG)
                why = _recreate_postgres(url)
                if why:
                    emit({"bench": "http", "db": db, "skipped": why})
                    continue
            else:
                url = f"sqlite:///{tmp / 'bench.sqlite3'}"
            env = {k: v for k, v in os.environ.items() if not k.startswith("KANTOR_")}
            env["KANTOR_VAR_DIR"] = str(tmp)
            cmd = [sys.executable, "-m", "bench.http", "--run", db, url]
            for name in ("requests", "workers", "threads", "clients", "procs", "max_seconds"):
                cmd += [f"--{name.replace('_', '-')}", str(getattr(args, name))]
            cmd += ["--group-commit", mode]
            status |= subprocess.run(cmd, env=env).returncode
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
