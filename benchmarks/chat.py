"""Chat speed over the real API and the real WebSocket, row for row beside Matrix Synapse.

The five rows of ../shared/peers/synapse_bench.py, with the same counts and concurrency:

  a. sequential send latency in a 1:1 conversation (POST /api/chat/conversations/{id}/messages)
  b. 16 concurrent senders x 200 messages into one group: messages a second, and the server's CPU
     (its processes and the background worker, from /proc)
  c. delivery latency to a connected receiver: send start until the message is on the receiver's
     events socket (/ws/events/, the socket the chat page holds)
  d. a 100-member group, 20 receivers connected, one sender, 50 messages: time until all 20 have each
  e. read receipt latency (POST /api/chat/conversations/{id}/read), and (e2) the time until the
     sender's socket shows it (the ``chat.read`` frame)

Each run starts its own server (``manage.py serve`` on a free loopback port, its background worker
beside it) on a fresh database: SQLite in a temporary folder, or with ``--postgres NAME`` a PostgreSQL
database created for the run and dropped after. The people (staff, with API tokens from the accounts
service and a session each for the socket) and the conversations are made by a setup step through the
services, before the server starts. Every loop is bounded in count and every wait in time.

With ``--synapse DIR`` (a directory prepared as synapse_bench.py's docstring says: DIR/venv, DIR/data with
homeserver.yaml and bench-overrides.yaml) it first runs Synapse there and measures it with synapse_bench.py,
on its SQLite database and, with ``--synapse-postgres-config FILE`` (a config file in DIR/data giving Synapse
a PostgreSQL database), on PostgreSQL too; ``--synapse-json SQLite=FILE`` takes the figures of an earlier
Synapse run instead. Each row is printed beside Synapse's on the same database, with the ratio (Synapse's
time over ours, our rate over Synapse's: above 1 we are faster).

Usage: .venv/bin/python benchmarks/chat.py [--postgres zt_bench_chat] [--synapse /work/synapse-bench
       [--synapse-postgres-config postgres.yaml]] [--synapse-json SQLite=results.json] [--out figures.json] [--quick]
Only ever targets 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import math
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import uvloop
import websockets

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import ROOT, deployment, free_port, load_average, machine, manage, server  # noqa: E402

SYNAPSE_BENCH = ROOT.parent / "shared" / "peers" / "synapse_bench.py"
PSQL = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c"]
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

# The people and conversations, made through the services; one token (write) and one socket session each.
SETUP = """
import json
from datetime import timedelta
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone
from zhengtong.apps.chat import services as chat
from zhengtong.platform.access.models import Role
from zhengtong.platform.access.services import assign_role
from zhengtong.platform.accounts.services import create_token, create_user
staff = Role.objects.get(code="staff")
names = ["pa", "pb"] + [f"s{{n:02d}}" for n in range({senders})] + [f"f{{n:03d}}" for n in range({members})]
people = []
for name in names:
    person = create_user(acting_user=None, username=f"chat_{{name}}", display_name=f"压测{{name}}", must_change_password=False)
    assign_role(acting_user=None, user=person, role=staff)
    people.append(person)
a, b, senders, members = people[0], people[1], people[2:2 + {senders}], people[2 + {senders}:]
direct = chat.open_direct(acting_user=a, other_id=b.pk)
group = chat.create_group(acting_user=senders[0], title="吞吐", member_ids=[p.pk for p in senders[1:]])
fanout = chat.create_group(acting_user=members[0], title="扇出", member_ids=[p.pk for p in members[1:]])
store, expires = SessionStore(), timezone.now() + timedelta(hours=2)
out = {{"cookie": settings.SESSION_COOKIE_NAME, "direct": direct.pk, "group": group.pk, "fanout": fanout.pk, "people": []}}
for person in people:
    key = store._get_new_session_key()
    Session.objects.create(session_key=key, expire_date=expires, session_data=store.encode({{
        SESSION_KEY: str(person.pk), BACKEND_SESSION_KEY: settings.AUTHENTICATION_BACKENDS[0],
        HASH_SESSION_KEY: person.get_session_auth_hash()}}))
    out["people"].append({{"id": person.pk, "name": person.username, "session": key,
                          "token": create_token(user=person, name="bench", scopes=["read", "write"], days=1)[1]}})
print(json.dumps(out))
"""


# --- statistics: as synapse_bench.py computes them, so the columns compare -------------------------


def pct(values: list[float], p: float) -> float:
    """Percentile with linear interpolation between closest ranks (numpy's default, as synapse_bench.py)."""
    if not values:
        return float("nan")
    s = sorted(values)
    k = (len(s) - 1) * p / 100.0
    lo = math.floor(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def summary(values: list[float]) -> dict[str, float]:
    if not values:
        return {"n": 0}
    return {"n": len(values), "min": min(values), "mean": sum(values) / len(values), "p50": pct(values, 50),
            "p95": pct(values, 95), "p99": pct(values, 99), "max": max(values)}


def fmt(s: dict[str, float]) -> str:
    if not s.get("n"):
        return "no samples"
    return "  ".join(f"{k}={s[k]:.2f}" for k in ("p50", "p95", "p99", "max")) + f"  (n={s['n']}, mean={s['mean']:.2f}) ms"


# --- the server's CPU --------------------------------------------------------------------------------


def process_tree(root_pid: int) -> list[int]:
    pids, found = [root_pid], []
    while pids:
        pid = pids.pop()
        found.append(pid)
        with contextlib.suppress(FileNotFoundError):
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            pids += [int(child) for child in children]
    return found


def ticks(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    return total


class Cpu:
    """The server's processes (serve, its uvicorn process, the worker) over one measured stretch: % of one core."""

    def __init__(self, pids: list[int]) -> None:
        self.pids = pids

    def __enter__(self) -> Cpu:
        self.started, self.ticks, self.mine = time.perf_counter(), ticks(self.pids), ticks([os.getpid()])
        return self

    def __exit__(self, *exc: object) -> None:
        wall = time.perf_counter() - self.started
        self.result = {"wall_s": wall, "server_cpu_pct_of_one_core_mean": 100 * (ticks(self.pids) - self.ticks) / CLOCK_TICKS / wall,
                       "client_cpu_pct_of_one_core": 100 * (ticks([os.getpid()]) - self.mine) / CLOCK_TICKS / wall}


# --- the clients -------------------------------------------------------------------------------------


class Person:
    def __init__(self, base: str, row: dict[str, Any], cookie: str) -> None:
        self.id, self.name, self.base = row["id"], row["name"], base
        self.cookie = f"{cookie}={row['session']}"
        self.http = aiohttp.ClientSession(base, headers={"Authorization": f"Bearer {row['token']}"},
                                          connector=aiohttp.TCPConnector(limit=4), timeout=aiohttp.ClientTimeout(total=15))
        self.errors: dict[str, int] = {}

    def failed(self, what: str) -> None:
        self.errors[what] = self.errors.get(what, 0) + 1

    async def send(self, conversation: int, text: str) -> tuple[dict[str, Any] | None, float, str]:
        """POST one message; returns (the stored message, latency in ms, its client id)."""
        client_id = uuid.uuid4().hex
        started = time.perf_counter()
        try:
            async with self.http.post(f"/api/chat/conversations/{conversation}/messages",
                                      json={"client_msg_id": client_id, "text": text}) as answer:
                body = await answer.json() if answer.status == 201 else None
                if body is None:
                    self.failed(str(answer.status))
        except (aiohttp.ClientError, TimeoutError) as error:
            self.failed(type(error).__name__)
            body = None
        return body, (time.perf_counter() - started) * 1000, client_id

    async def read(self, conversation: int, seq: int) -> float:
        started = time.perf_counter()
        try:
            async with self.http.post(f"/api/chat/conversations/{conversation}/read", json={"seq": seq}) as answer:
                await answer.read()
                if answer.status != 200:
                    self.failed(str(answer.status))
        except (aiohttp.ClientError, TimeoutError) as error:
            self.failed(type(error).__name__)
        return (time.perf_counter() - started) * 1000


class Tracker:
    """When each receiver first saw each key (a message's client id, or a receipt)."""

    def __init__(self, receivers: int) -> None:
        self.receivers = receivers
        self.seen: dict[str, dict[int, float]] = {}
        self.done: dict[str, asyncio.Event] = {}

    def expect(self, key: str) -> asyncio.Event:
        self.done[key] = asyncio.Event()
        if len(self.seen.setdefault(key, {})) >= self.receivers:
            self.done[key].set()
        return self.done[key]

    def saw(self, key: str, receiver: int, at: float) -> None:
        seen = self.seen.setdefault(key, {})
        if receiver not in seen:
            seen[receiver] = at
            if len(seen) >= self.receivers and key in self.done:
                self.done[key].set()


class Socket:
    """A device's events socket, reporting the chat frames it receives to the trackers."""

    def __init__(self, person: Person, messages: Tracker | None = None, receipts: Tracker | None = None,
                 receipts_from: int | None = None) -> None:
        self.person, self.messages, self.receipts, self.receipts_from = person, messages, receipts, receipts_from
        self.frames = 0

    async def open(self) -> None:
        uri = self.person.base.replace("http://", "ws://") + "/ws/events/"
        self.socket = await websockets.connect(uri, additional_headers={"Cookie": self.person.cookie, "Origin": self.person.base},
                                               open_timeout=30, max_queue=None)
        while json.loads(await asyncio.wait_for(self.socket.recv(), 30)).get("type") != "badges":
            pass
        self.task = asyncio.ensure_future(self._receive())

    async def _receive(self) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            async for text in self.socket:
                at = time.perf_counter()
                frame = json.loads(text)
                self.frames += 1
                if frame.get("kind") == "chat.message" and self.messages is not None:
                    self.messages.saw(frame["message"]["client_msg_id"], self.person.id, at)
                elif frame.get("kind") == "chat.read" and self.receipts is not None and frame.get("person") == self.receipts_from:
                    self.receipts.saw(f"{frame['conversation']}:{frame['read_seq']}", self.person.id, at)

    async def close(self) -> None:
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task
        await self.socket.close()


# --- the rows ----------------------------------------------------------------------------------------


async def row_a(results: dict[str, Any], a: Person, conversation: int, n: int, warmup: int, pids: list[int]) -> None:
    for i in range(warmup):
        await a.send(conversation, f"a-warm-{i}")
    latencies = []
    with Cpu(pids) as cpu:
        for i in range(n):
            latencies.append((await a.send(conversation, f"a-{i}"))[1])
    results["a_sequential_send"] = {"messages": n, "warmup": warmup, "latency_ms": summary(latencies),
                                    "msgs_per_s": n / cpu.result["wall_s"], "errors": dict(a.errors), "cpu": cpu.result}
    print(f"[a] sequential send x{n}: {fmt(summary(latencies))}; errors={a.errors}", flush=True)


async def row_b(results: dict[str, Any], senders: list[Person], conversation: int, per_sender: int, pids: list[int]) -> None:
    await asyncio.gather(*(s.send(conversation, f"b-warm-{s.name}-{i}") for s in senders for i in range(3)))
    latencies: list[float] = []

    async def sender(person: Person) -> None:
        for i in range(per_sender):
            latencies.append((await person.send(conversation, f"b-{person.name}-{i}"))[1])

    with Cpu(pids) as cpu:
        await asyncio.gather(*(sender(s) for s in senders))
    errors: dict[str, int] = {}
    for s in senders:
        for what, count in s.errors.items():
            errors[what] = errors.get(what, 0) + count
    rate = len(latencies) / cpu.result["wall_s"]
    results["b_throughput"] = {"senders": len(senders), "per_sender": per_sender, "messages": len(latencies), "msgs_per_s": rate,
                               "latency_ms_under_load": summary(latencies), "errors": errors, "cpu": cpu.result}
    print(f"[b] {len(senders)} senders x {per_sender}: {rate:.1f} msg/s; per-send {fmt(summary(latencies))}; "
          f"server CPU {cpu.result['server_cpu_pct_of_one_core_mean']:.0f}% of a core; errors={errors}", flush=True)


async def row_c(results: dict[str, Any], a: Person, b: Person, conversation: int, n: int, warmup: int, gap: float,
                pids: list[int]) -> None:
    tracker = Tracker(1)
    socket = Socket(b, messages=tracker)
    await socket.open()
    deliver, sends, missed = [], [], 0
    try:
        with Cpu(pids) as cpu:
            for i in range(warmup + n):
                started = time.perf_counter()
                _body, latency, key = await a.send(conversation, f"c-{i}")
                try:
                    await asyncio.wait_for(tracker.expect(key).wait(), timeout=10)
                except TimeoutError:
                    missed += 1
                    continue
                if i >= warmup:
                    sends.append(latency)
                    deliver.append((tracker.seen[key][b.id] - started) * 1000)
                await asyncio.sleep(gap)
    finally:
        await socket.close()
    results["c_delivery"] = {"messages": n, "warmup": warmup, "gap_between_messages_s": gap, "delivery_ms": summary(deliver),
                             "send_ms": summary(sends), "missed": missed, "cpu": cpu.result}
    print(f"[c] delivery to the socket x{n}: {fmt(summary(deliver))}; missed={missed}", flush=True)


async def row_d(results: dict[str, Any], members: list[Person], conversation: int, receivers: int, n: int, warmup: int,
                gap: float, pids: list[int]) -> None:
    sender, listening = members[0], members[1:1 + receivers]
    tracker = Tracker(len(listening))
    sockets = [Socket(person, messages=tracker) for person in listening]
    await asyncio.gather(*(s.open() for s in sockets))
    all_have, first_has, each, sends, missed = [], [], [], [], 0
    try:
        with Cpu(pids) as cpu:
            for i in range(warmup + n):
                started = time.perf_counter()
                _body, latency, key = await sender.send(conversation, f"d-{i}")
                try:
                    await asyncio.wait_for(tracker.expect(key).wait(), timeout=15)
                except TimeoutError:
                    missed += 1
                    continue
                if i >= warmup:
                    times = [(at - started) * 1000 for at in tracker.seen[key].values()]
                    all_have.append(max(times))
                    first_has.append(min(times))
                    each.extend(times)
                    sends.append(latency)
                await asyncio.sleep(gap)
    finally:
        await asyncio.gather(*(s.close() for s in sockets))
    results["d_fanout"] = {"room_members": len(members), "connected_receivers": len(listening), "messages": n, "warmup": warmup,
                           "all_receivers_have_ms": summary(all_have), "first_receiver_has_ms": summary(first_has),
                           "each_delivery_ms": summary(each), "send_ms": summary(sends), "missed": missed, "cpu": cpu.result}
    print(f"[d] fan-out {len(members)} members / {len(listening)} connected x{n}: all-have {fmt(summary(all_have))}; "
          f"missed={missed}", flush=True)


async def row_e(results: dict[str, Any], a: Person, b: Person, conversation: int, n: int, warmup: int, n_delivery: int,
                gap: float, pids: list[int]) -> None:
    # A fresh message to acknowledge each time: a receipt that does not move the watermark forward changes nothing.
    seqs = []
    for i in range(warmup + n):
        body, _latency, _key = await a.send(conversation, f"e-src-{i}")
        if body is not None:
            seqs.append(body["seq"])
    for seq in seqs[:warmup]:
        await b.read(conversation, seq)
    with Cpu(pids) as cpu:
        latencies = [await b.read(conversation, seq) for seq in seqs[warmup:]]
    results["e_receipts"] = {"receipts": len(latencies), "warmup": warmup, "post_ms": summary(latencies), "errors": dict(b.errors),
                             "cpu": cpu.result}
    print(f"[e] receipt POST x{len(latencies)}: {fmt(summary(latencies))}", flush=True)

    tracker = Tracker(1)
    socket = Socket(a, receipts=tracker, receipts_from=b.id)
    await socket.open()
    deliver, posts, missed = [], [], 0
    try:
        for i in range(n_delivery):
            body, _latency, _key = await a.send(conversation, f"e2-src-{i}")
            if body is None:
                continue
            await asyncio.sleep(gap)
            key = f"{conversation}:{body['seq']}"
            done = tracker.expect(key)
            started = time.perf_counter()
            posts.append(await b.read(conversation, body["seq"]))
            try:
                await asyncio.wait_for(done.wait(), timeout=10)
            except TimeoutError:
                missed += 1
                continue
            deliver.append((tracker.seen[key][a.id] - started) * 1000)
            await asyncio.sleep(gap)
    finally:
        await socket.close()
    results["e2_receipt_delivery"] = {"receipts": n_delivery, "post_ms": summary(posts), "delivery_ms": summary(deliver),
                                      "missed": missed}
    print(f"[e2] receipt delivery to the sender's socket x{n_delivery}: {fmt(summary(deliver))}; missed={missed}", flush=True)


async def measure(base: str, setup: dict[str, Any], args: argparse.Namespace, pids: list[int]) -> dict[str, Any]:
    people = [Person(base, row, setup["cookie"]) for row in setup["people"]]
    a, b = people[0], people[1]
    senders, members = people[2:2 + args.senders], people[2 + args.senders:]
    results: dict[str, Any] = {}
    try:
        await row_a(results, a, setup["direct"], args.seq_messages, args.warmup, pids)
        await row_b(results, senders, setup["group"], args.per_sender, pids)
        await row_c(results, a, b, setup["direct"], args.delivery_messages, args.warmup, args.gap_ms / 1000, pids)
        await row_d(results, members, setup["fanout"], args.fanout_receivers, args.fanout_messages, 5, args.fanout_gap_ms / 1000, pids)
        await row_e(results, a, b, setup["direct"], args.receipts, args.warmup, args.receipt_delivery, args.gap_ms / 1000, pids)
    finally:
        await asyncio.gather(*(p.http.close() for p in people))
    return results


def listening_pid(port: int) -> int:
    """The ``manage.py serve`` process listening on ``port`` (the root of the server's process tree)."""
    found = subprocess.run(["pgrep", "-f", "--", f"manage.py serve --port {port} "], capture_output=True, text=True).stdout.split()
    return min(int(pid) for pid in found)


def run_ours(args: argparse.Namespace, database: str, **extra: str) -> dict[str, Any]:
    cheap = {"ZT_ARGON2_TIME_COST": "1", "ZT_ARGON2_MEMORY_KIB": "1024", "ZT_ARGON2_PARALLELISM": "1", "ZT_LOG_LEVEL": "WARNING"}
    with deployment(ROOT, **cheap, **extra) as env:
        started = time.perf_counter()
        setup = json.loads(manage(env, "shell", "-c", SETUP.format(senders=args.senders, members=args.fanout_members))
                           .strip().splitlines()[-1])
        setup_s = time.perf_counter() - started
        port = free_port()
        load = load_average()
        with server(env, port, workers=args.workers) as base:
            time.sleep(1.0)  # the worker and the server's first imports
            pids = process_tree(listening_pid(port))
            results = uvloop.run(asyncio.wait_for(measure(base, setup, args, pids), args.max_seconds))
    results["machine"] = {"machine": machine(), "date_utc": f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M:%S}", "load_average_before": load,
                          "database": database, "server_processes": args.workers, "commit": _commit()}
    results["setup_s"] = setup_s
    return results


def _commit() -> str:
    return subprocess.run(["git", "-C", str(ROOT), "log", "-1", "--format=%h"], capture_output=True, text=True).stdout.strip()


@contextlib.contextmanager
def postgres(name: str) -> Iterator[str]:
    subprocess.run([*PSQL, f"DROP DATABASE IF EXISTS {name}"], check=True)
    subprocess.run([*PSQL, f"CREATE DATABASE {name}"], check=True)
    try:
        yield f"postgres://postgres@127.0.0.1:5432/{name}"
    finally:
        subprocess.run([*PSQL, f"DROP DATABASE IF EXISTS {name}"], check=True)


# --- Synapse -----------------------------------------------------------------------------------------


def run_synapse(directory: Path, out: Path, max_seconds: float, extra_config: str = "") -> dict[str, Any]:
    """Start Synapse from ``directory`` (venv/ and data/ as synapse_bench.py's docstring prepares them), measure, stop.

    ``extra_config``: one more config file (in data/), loaded last: e.g. its database set to PostgreSQL.
    """
    data, python = directory / "data", directory / "venv" / "bin" / "python"
    configs = ["-c", "homeserver.yaml", "-c", "bench-overrides.yaml"] + (["-c", extra_config] if extra_config else [])
    log = (data / "synapse.stdout").open("w")
    synapse = subprocess.Popen([str(python), "-m", "synapse.app.homeserver", *configs], cwd=data, stdout=log, stderr=subprocess.STDOUT)
    try:
        subprocess.run([str(python), str(SYNAPSE_BENCH), "run", "--base-url", "http://127.0.0.1:8008", "--config", "homeserver.yaml",
                        "--server-pid", str(synapse.pid), "--out", str(out), "--max-seconds", str(max_seconds)],
                       cwd=data, check=True, timeout=max_seconds + 120)
    finally:
        synapse.terminate()
        try:
            synapse.wait(timeout=20)
        except subprocess.TimeoutExpired:
            synapse.kill()
        log.close()
    return dict(json.loads(out.read_text()))


# The rows side by side: (label, path into the results, whether lower is better; None: no ratio).
ROWS: list[tuple[str, tuple[str, ...], bool | None]] = [
    ("a. 1:1 send p50", ("a_sequential_send", "latency_ms", "p50"), True),
    ("a. 1:1 send p99", ("a_sequential_send", "latency_ms", "p99"), True),
    ("b. 16 × 200 into one group, msg/s", ("b_throughput", "msgs_per_s"), False),
    # Busier is not worse while it carries more messages: no ratio (the next row compares the cost).
    ("b. server CPU, % of one core", ("b_throughput", "cpu", "server_cpu_pct_of_one_core_mean"), None),
    ("b. server CPU per message, ms", ("b_throughput", "cpu_ms_per_message"), True),
    ("b. send p50 under load", ("b_throughput", "latency_ms_under_load", "p50"), True),
    ("c. delivery to a connected receiver p50", ("c_delivery", "delivery_ms", "p50"), True),
    ("c. delivery p99", ("c_delivery", "delivery_ms", "p99"), True),
    ("d. 100 members, 20 connected: all have it p50", ("d_fanout", "all_receivers_have_ms", "p50"), True),
    ("d. all have it p99", ("d_fanout", "all_receivers_have_ms", "p99"), True),
    ("e. read receipt POST p50", ("e_receipts", "post_ms", "p50"), True),
    ("e. read receipt POST p99", ("e_receipts", "post_ms", "p99"), True),
    ("e2. receipt on the sender's device p50", ("e2_receipt_delivery", "delivery_ms", "p50"), True),
]


def value(results: dict[str, Any] | None, path: tuple[str, ...]) -> float | None:
    if path == ("b_throughput", "cpu_ms_per_message"):  # derived, so that Synapse's figures give it too
        cpu = value(results, ("b_throughput", "cpu", "server_cpu_pct_of_one_core_mean"))
        wall, messages = value(results, ("b_throughput", "cpu", "wall_s")), value(results, ("b_throughput", "messages"))
        return cpu / 100 * wall / messages * 1000 if cpu is not None and wall and messages else None
    node: Any = results
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return float(node)


def table(ours: dict[str, dict[str, Any]], synapse: dict[str, dict[str, Any]]) -> str:
    """Markdown: each row, per database ours, then Synapse's and the ratio where Synapse was measured on it.

    The ratio says how many times better we are: Synapse's time over ours, or our rate over Synapse's.
    """
    head = "| Row |"
    for db in ours:
        head += f" Zhengtong, {db} |" + (f" Synapse, {db} | ratio |" if db in synapse else "")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for label, path, lower in ROWS:
        unit = "" if "msg/s" in label or "CPU" in label else " ms"
        line = f"| {label} |"
        for db, results in ours.items():
            mine = value(results, path)
            line += f" {mine:,.1f}{unit} |" if mine is not None else " — |"
            if db in synapse:
                theirs = value(synapse[db], path)
                line += f" {theirs:,.1f}{unit} |" if theirs is not None else " — |"
                line += f" {(theirs / mine if lower else mine / theirs):.2f}× |" if mine and theirs and lower is not None else " — |"
        lines.append(line)
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--postgres", default="", help="Also measure on PostgreSQL: the database to create, use and drop.")
    parser.add_argument("--no-sqlite", action="store_true", help="Only PostgreSQL.")
    parser.add_argument("--redis", default="", help="ZT_REDIS_URL for our server (a Redis on 127.0.0.1).")
    parser.add_argument("--workers", type=int, default=1, help="Server processes.")
    parser.add_argument("--synapse", default="", help="Run Synapse from this directory first (venv/, data/), for each database.")
    parser.add_argument("--synapse-postgres-config", default="",
                        help="With --synapse and --postgres: the config file in data/ that gives Synapse its PostgreSQL database.")
    parser.add_argument("--synapse-json", action="append", default=[], metavar="DATABASE=FILE",
                        help="Synapse's figures from an earlier synapse_bench.py run, e.g. SQLite=results.json (repeatable).")
    parser.add_argument("--out", default="", help="Write every figure as JSON here.")
    parser.add_argument("--max-seconds", type=float, default=600, help="The most one database's run may take.")
    parser.add_argument("--quick", action="store_true", help="A tenth of the counts: to see that it works.")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--seq-messages", type=int, default=500)
    parser.add_argument("--senders", type=int, default=16)
    parser.add_argument("--per-sender", type=int, default=200)
    parser.add_argument("--delivery-messages", type=int, default=200)
    parser.add_argument("--gap-ms", type=float, default=50)
    parser.add_argument("--fanout-members", type=int, default=100)
    parser.add_argument("--fanout-receivers", type=int, default=20)
    parser.add_argument("--fanout-messages", type=int, default=50)
    parser.add_argument("--fanout-gap-ms", type=float, default=100)
    parser.add_argument("--receipts", type=int, default=200)
    parser.add_argument("--receipt-delivery", type=int, default=100)
    parser.add_argument("--table", default="", help="Only print the table of an earlier run's --out file.")
    args = parser.parse_args()
    if args.table:
        saved = json.loads(Path(args.table).read_text())
        print(table(saved["zhengtong"], saved["synapse"]))
        return
    if args.redis and not args.redis.startswith("redis://127.0.0.1:"):
        sys.exit("only a Redis on 127.0.0.1")
    if args.quick:
        for name in ("warmup", "seq_messages", "per_sender", "delivery_messages", "fanout_messages", "receipts", "receipt_delivery"):
            setattr(args, name, max(2, getattr(args, name) // 10))

    print(f"# Chat, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {machine()}, load average {load_average()}", flush=True)
    synapse: dict[str, dict[str, Any]] = {}
    for given in args.synapse_json:
        database, _sep, path = given.partition("=")
        synapse[database] = json.loads(Path(path).read_text())
    if args.synapse and not args.no_sqlite:
        print("## Synapse, SQLite", flush=True)
        synapse["SQLite"] = run_synapse(Path(args.synapse), Path(args.synapse) / "results-sqlite.json", args.max_seconds)
    if args.synapse and args.postgres and args.synapse_postgres_config:
        print("## Synapse, PostgreSQL", flush=True)
        synapse["PostgreSQL"] = run_synapse(Path(args.synapse), Path(args.synapse) / "results-postgres.json", args.max_seconds,
                                            args.synapse_postgres_config)
    extra = {"ZT_REDIS_URL": args.redis} if args.redis else {}
    ours: dict[str, dict[str, Any]] = {}
    if not args.no_sqlite:
        print("## Zhengtong, SQLite", flush=True)
        ours["SQLite"] = run_ours(args, "SQLite", **extra)
    if args.postgres:
        print("## Zhengtong, PostgreSQL", flush=True)
        with postgres(args.postgres) as url:
            ours["PostgreSQL"] = run_ours(args, "PostgreSQL", ZT_DATABASE_URL=url, **extra)
    for database, theirs in synapse.items():
        info = theirs.get("machine", {})
        print(f"\nSynapse {info.get('matrix_synapse_pkg', '?')} on {database} measured {info.get('date_utc', '?')} UTC")
    print()
    print(table(ours, synapse))
    if args.out:
        Path(args.out).write_text(json.dumps({"zhengtong": ours, "synapse": synapse, "params": vars(args)}, indent=2))
        print(f"\nfigures written to {args.out}")


if __name__ == "__main__":
    main()
