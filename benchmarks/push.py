"""Real-time push: one event to a 1,000-person department with 1,000 open WebSockets.

Measures delivery latency (the publisher's timestamp in the payload against the time each
socket receives it; client and server share the clock) and sustained throughput (events
published back to back to everyone). Two set-ups: one server process without Redis, and two
server processes (``serve --workers 2``) over Redis. The publisher is ``manage.py shell`` —
another process, as the background worker is — so without Redis the frames reach the sockets
when the server's reader next reads the log (every realtime.TAIL_SECONDS); over Redis each
publish is one pub/sub message that wakes the reader of every server process at once.

Usage: .venv/bin/python benchmarks/push.py [--people 1000] [--burst 20] [--redis redis://127.0.0.1:6379/14]
Only ever targets 127.0.0.1; the Redis database given is flushed first.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import time
from typing import Any

import websockets

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent.parent))

from benchmarks.common import PYTHON, ROOT, deployment, free_port, machine, manage, server  # noqa: E402

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

# One event to everyone in the department, ``count`` times back to back, each stamped when published.
PUBLISH = """
import time
from zhengtong.platform.directory.models import Membership
from zhengtong.platform.notices import stream
people = list(Membership.objects.filter(department_id={department}).values_list("user_id", flat=True))
for seq in range({count}):
    stream.publish(people, "bench", {{"seq": seq, "sent": time.time()}})
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


def publish(env: dict[str, str], department: int, count: int) -> subprocess.Popen[str]:
    return subprocess.Popen([PYTHON, "manage.py", "shell", "-c", PUBLISH.format(department=department, count=count)],
                            cwd=ROOT, env=env, text=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


async def measure(base: str, env: dict[str, str], setup: dict[str, Any], burst: int, timeout: float) -> dict[str, Any]:
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

    # One event to everyone.
    await asyncio.to_thread(publish(env, setup["department"], 1).wait)
    await asyncio.wait_for(fleet.done.wait(), timeout)
    single = sorted(fleet.latencies)

    # A burst: ``burst`` events to everyone, back to back.
    fleet.latencies, fleet.expected, fleet.done, fleet.first_sent = [], people * burst, asyncio.Event(), float("inf")
    publisher = publish(env, setup["department"], burst)
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
        "events_per_s": burst / elapsed, "frames_per_s": people * burst / elapsed,
    }


def _percentile(values: list[float], percent: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[percent - 1] * 1000 if len(values) > 1 else values[0] * 1000


def run(label: str, people: int, burst: int, workers: int, timeout: float, **extra: str) -> None:
    with deployment(**extra) as env:
        setup = json.loads(manage(env, "shell", "-c", SETUP.format(people=people)).strip().splitlines()[-1])
        with server(env, free_port(), workers=workers) as base:
            result = asyncio.run(measure(base, env, setup, burst, timeout))
    print(f"| {label} | {people} | {result['connect']:.1f} s | {result['p50']:.0f} ms | {result['p99']:.0f} ms "
          f"| {burst} × {people} | {result['burst_p50']:.0f} ms | {result['burst_p99']:.0f} ms "
          f"| {result['events_per_s']:.1f} | {result['frames_per_s']:,.0f} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--burst", type=int, default=20, help="Events published back to back to everyone.")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--timeout", type=float, default=120, help="Seconds any one step may take.")
    args = parser.parse_args()
    if not args.redis.startswith("redis://127.0.0.1:"):
        sys.exit("only a Redis on 127.0.0.1")
    print(f"# Real-time push, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {machine()}")
    print("# server, publisher and the client holding every socket share the machine; "
          f"load average before the run {os.getloadavg()[0]:.1f}\n")
    print("| Set-up | Sockets | Connect all | One event p50 | p99 | Burst | Burst p50 | p99 | Events/s | Frames/s |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    run("1 process, no Redis", args.people, args.burst, 1, args.timeout)
    subprocess.run([PYTHON, "-c", f"import redis; redis.Redis.from_url({args.redis!r}).flushdb()"], check=True)
    run("2 processes, Redis pub/sub", args.people, args.burst, 2, args.timeout, ZT_REDIS_URL=args.redis)


if __name__ == "__main__":
    main()
