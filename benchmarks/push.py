"""Real-time push: one event to a 1,000-person department with 1,000 open WebSockets.

Measures delivery latency (the publisher's timestamp in the payload against the time each
socket receives it; client and server share the clock) and sustained throughput (events
published back to back to everyone). Three set-ups, one after the other in one run:

- one server process, SQLite, no Redis: the server's reader finds the rows when it next reads
  the log (every realtime.TAIL_SECONDS);
- two server processes (``serve --workers 2``) over Redis: each publish is one pub/sub message
  that wakes the reader of every process at once;
- two server processes on PostgreSQL without Redis: the database's NOTIFY, sent with the
  publisher's commit, wakes the readers (LISTEN on one connection per process).

The publisher is ``manage.py shell`` — another process, as the background worker is, so nothing
in the server's own process wakes its reader. ``--code`` runs the servers and the publisher from
another checkout (the old code, for an old-versus-new comparison), with this harness.

Usage: .venv/bin/python benchmarks/push.py [--people 1000] [--events 5] [--burst 20] [--redis redis://127.0.0.1:6379/14]
       [--postgres zt_bench_push] [--code /path/to/other/checkout]
Only ever targets 127.0.0.1; the Redis database given is flushed first, the PostgreSQL database
given is created and dropped.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import uvloop
import websockets

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import PYTHON, ROOT, deployment, free_port, machine, manage, server  # noqa: E402

PSQL = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c"]

SETUP = """
import json
from datetime import timedelta
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone
from zhengtong.platform.directory.models import Department, Membership
User = get_user_model()
unit = Department.objects.create(name="压测单位", kind=Department.Kind.UNIT)
department = Department.objects.create(name="压测处", parent=unit)
User.objects.bulk_create(User(username=f"push{{n:04d}}", password="!", is_active=True) for n in range({people}))
people = list(User.objects.filter(username__startswith="push").order_by("id"))
Membership.objects.bulk_create(Membership(user=person, department=department, is_primary=True) for person in people)
store = SessionStore()
expires = timezone.now() + timedelta(hours=8)
keys = [store._get_new_session_key() for _ in people]
Session.objects.bulk_create(
    Session(session_key=key, expire_date=expires, session_data=store.encode({{
        SESSION_KEY: str(person.pk), BACKEND_SESSION_KEY: settings.AUTHENTICATION_BACKENDS[0],
        HASH_SESSION_KEY: person.get_session_auth_hash()}}))
    for key, person in zip(keys, people))
print(json.dumps({{"cookie": settings.SESSION_COOKIE_NAME, "department": department.pk, "sessions": keys}}))
"""

# One event to everyone in the department, ``count`` times ``pause`` seconds apart, each stamped when published.
PUBLISH = """
import time
from zhengtong.platform.directory.models import Membership
from zhengtong.platform.notices import stream
people = list(Membership.objects.filter(department_id={department}).values_list("user_id", flat=True))
for seq in range({count}):
    stream.publish(people, "bench", {{"seq": seq, "sent": time.time()}})
    time.sleep({pause})
"""


class Fleet:
    """The open sockets and what they received."""

    def __init__(self, expected: int) -> None:
        self.latencies: list[float] = []
        self.expected = expected
        self.done = asyncio.Event()
        self.first_sent = float("inf")
        self.last_received = 0.0

    async def hold(self, uri: str, cookie: str, ready: asyncio.Queue[bool], limit: asyncio.Semaphore, stop: asyncio.Event) -> None:
        async with limit:
            socket = await websockets.connect(uri, additional_headers={"Cookie": cookie, "Origin": uri.replace("ws://", "http://")},
                                              open_timeout=60, max_queue=None)
            while json.loads(await socket.recv()).get("type") != "badges":
                pass
        await ready.put(True)
        async with socket:
            receiving = asyncio.ensure_future(self._receive(socket))
            await stop.wait()
            receiving.cancel()

    async def _receive(self, socket: Any) -> None:
        async for text in socket:
            frame = json.loads(text)
            if frame.get("kind") == "bench":
                now = time.time()
                self.latencies.append(now - frame["sent"])
                self.first_sent = min(self.first_sent, frame["sent"])
                self.last_received = now
                if len(self.latencies) >= self.expected:
                    self.done.set()


def publish(env: dict[str, str], department: int, count: int, pause: float, root: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([PYTHON, "manage.py", "shell", "-c", PUBLISH.format(department=department, count=count, pause=pause)],
                            cwd=root, env=env, text=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def server_cpu_seconds(port: int) -> float:
    """CPU time used so far by the server on ``port``: its processes and their children (the worker among them).

    Unlike latency, it hardly moves with what else runs on the machine, so old and new code compare by it.
    """
    found = subprocess.run(["pgrep", "-f", "--", f"serve --port {port}"], capture_output=True, text=True).stdout.split()
    pids, seconds = [int(pid) for pid in found], 0.0
    while pids:
        pid = pids.pop()
        children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
        pids += [int(child) for child in children]
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        seconds += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return seconds


async def measure(base: str, env: dict[str, str], setup: dict[str, Any], events: int, burst: int, timeout: float,
                  root: Path, port: int) -> dict[str, Any]:
    uri = base.replace("http://", "ws://") + "/ws/events/"
    stop = asyncio.Event()
    ready: asyncio.Queue[bool] = asyncio.Queue()
    limit = asyncio.Semaphore(50)  # connections being opened at once, so accepts do not time out on 2 cores
    people = len(setup["sessions"])
    fleet = Fleet(people)
    started = time.perf_counter()
    holders = [asyncio.ensure_future(fleet.hold(uri, f"{setup['cookie']}={key}", ready, limit, stop)) for key in setup["sessions"]]
    for _ in range(people):
        await asyncio.wait_for(ready.get(), timeout)
    connect_seconds = time.perf_counter() - started

    # One event to everyone, ``events`` times, a second apart: each a separate wake-up of the readers.
    fleet.expected = people * events
    cpu_before = server_cpu_seconds(port)
    await asyncio.to_thread(publish(env, setup["department"], events, 1.0, root).wait)
    await asyncio.wait_for(fleet.done.wait(), timeout)
    single = sorted(fleet.latencies)
    # Over the seconds the single events took: the frames' share, and the idle rounds of the readers and the worker.
    cpu_per_event = (server_cpu_seconds(port) - cpu_before) / events

    # A burst: ``burst`` events to everyone, back to back.
    fleet.latencies, fleet.expected, fleet.done, fleet.first_sent = [], people * burst, asyncio.Event(), float("inf")
    publisher = publish(env, setup["department"], burst, 0, root)
    await asyncio.to_thread(publisher.wait)
    if publisher.returncode:
        raise RuntimeError(publisher.stderr.read() if publisher.stderr else "publish failed")
    await asyncio.wait_for(fleet.done.wait(), timeout)
    elapsed = fleet.last_received - fleet.first_sent
    burst_latencies = sorted(fleet.latencies)
    stop.set()
    await asyncio.gather(*holders)
    return {
        "connect": connect_seconds,
        "p50": _percentile(single, 50), "p99": _percentile(single, 99),
        "burst_p50": _percentile(burst_latencies, 50), "burst_p99": _percentile(burst_latencies, 99),
        "events_per_s": burst / elapsed, "frames_per_s": people * burst / elapsed, "cpu_per_event": cpu_per_event,
    }


def _percentile(values: list[float], percent: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[percent - 1] * 1000 if len(values) > 1 else values[0] * 1000


def run(label: str, args: argparse.Namespace, workers: int, **extra: str) -> None:
    root = Path(args.code)
    load = os.getloadavg()[0]
    with deployment(root, **extra) as env:
        setup = json.loads(manage(env, "shell", "-c", SETUP.format(people=args.people), root=root).strip().splitlines()[-1])
        port = free_port()
        with server(env, port, workers=workers, root=root) as base:
            # uvloop: the one client process stands in for 1,000 devices; the less of its own time it adds, the better.
            result = uvloop.run(measure(base, env, setup, args.events, args.burst, args.timeout, root, port))
    print(f"| {label} | {load:.1f} | {args.people} | {result['connect']:.1f} s | {result['p50']:.0f} ms | {result['p99']:.0f} ms "
          f"| {1000 * result['cpu_per_event']:.0f} ms | {args.burst} × {args.people} | {result['burst_p50']:.0f} ms "
          f"| {result['burst_p99']:,.0f} ms | {result['events_per_s']:.1f} | {result['frames_per_s']:,.0f} |", flush=True)


@contextlib.contextmanager
def postgres(name: str) -> Iterator[str]:
    subprocess.run([*PSQL, f"DROP DATABASE IF EXISTS {name}"], check=True)
    subprocess.run([*PSQL, f"CREATE DATABASE {name}"], check=True)
    try:
        yield f"postgres://postgres@127.0.0.1:5432/{name}"
    finally:
        subprocess.run([*PSQL, f"DROP DATABASE IF EXISTS {name}"], check=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--events", type=int, default=5, help="Single events to everyone, a second apart.")
    parser.add_argument("--burst", type=int, default=20, help="Events published back to back to everyone.")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--postgres", default="zt_bench_push", help="The PostgreSQL database to create, use and drop.")
    parser.add_argument("--code", default=str(ROOT), help="The checkout whose server and publisher run (default: this one).")
    parser.add_argument("--timeout", type=float, default=120, help="Seconds any one step may take.")
    args = parser.parse_args()
    if not args.redis.startswith("redis://127.0.0.1:"):
        sys.exit("only a Redis on 127.0.0.1")
    commit = subprocess.run(["git", "-C", args.code, "log", "-1", "--format=%h %s"], capture_output=True, text=True).stdout.strip()
    print(f"# Real-time push, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {machine()}")
    print(f"# code: {args.code} ({commit})")
    print("# server, publisher and the client holding every socket share the machine; the load average is taken before each set-up\n")
    print("| Set-up | Load | Sockets | Connect all | One event p50 | p99 | Server CPU / event "
          "| Burst | Burst p50 | p99 | Events/s | Frames/s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    run("1 process, SQLite, no Redis (polling)", args, 1)
    subprocess.run([PYTHON, "-c", f"import redis; redis.Redis.from_url({args.redis!r}).flushdb()"], check=True)
    run("2 processes, SQLite, Redis pub/sub", args, 2, ZT_REDIS_URL=args.redis)
    with postgres(args.postgres) as url:
        run("2 processes, PostgreSQL, no Redis (LISTEN/NOTIFY)", args, 2, ZT_DATABASE_URL=url)


if __name__ == "__main__":
    main()
