"""HTTP throughput of the served system under each candidate server, in one run: authenticated
GET /api/accounts/me (bearer token) against the same server's bare /healthz, whether a
WebSocket opens on the same port, and the sign-in latency at the configured Argon2 cost.

Every server runs one process on the same throw-away database:
- ``manage.py serve``: what ships (see zhengtong/asgi.py);
- uvicorn and granian serving the ASGI application (HTTP handed to Django's WSGI handler
  in a thread pool, WebSockets on the event loop);
- gunicorn with uvicorn's worker (the same ASGI application under gunicorn's process manager);
- granian and gunicorn serving Django's WSGI handler alone, HTTP only: the ceiling without sockets.

Needs wrk (Debian package `wrk`). Usage: .venv/bin/python benchmarks/http_throughput.py [--seconds 10]
Only ever targets 127.0.0.1.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.cookiejar
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import PYTHON, deployment, free_port, machine, manage, server  # noqa: E402

PASSWORD = "Load-Test-2026!"
SETUP = f"""
from zhengtong.platform.access.models import Role
from zhengtong.platform.access.services import assign_role
from zhengtong.platform.accounts.services import create_token, create_user
user = create_user(acting_user=None, username="bench", display_name="压测用户", password="{PASSWORD}", must_change_password=False)
assign_role(acting_user=None, user=user, role=Role.objects.get(code="staff"))
print(create_token(user=user, name="bench", scopes=["read"], days=1)[1])
"""


def servers(port: int, threads: int) -> dict[str, list[str]]:
    """Each candidate's command line; one process each, ``threads`` running Django's WSGI handler."""
    bind = ["--host", "127.0.0.1", "--port", str(port)]
    gunicorn_bind = ["-b", f"127.0.0.1:{port}", "-w", "1"]
    return {
        "manage.py serve (shipped)": [PYTHON, "manage.py", "serve", "--no-worker", "--port", str(port)],
        "uvicorn, ASGI app": [PYTHON, "-m", "uvicorn", *bind, "--workers", "1", "--loop", "uvloop", "--http", "httptools",
                              "--no-access-log", "--log-level", "warning", "--lifespan", "off", "zhengtong.asgi:application"],
        "granian, ASGI app": [PYTHON, "-m", "granian", "--interface", "asgi", *bind, "--workers", "1", "--loop", "uvloop",
                              "--log-level", "warning", "--no-access-log", "zhengtong.asgi:application"],
        "gunicorn + uvicorn worker, ASGI app": [PYTHON, "-m", "gunicorn", *gunicorn_bind, "-k", "uvicorn.workers.UvicornWorker",
                                                "--log-level", "warning", "zhengtong.asgi:application"],
        "granian, WSGI only": [PYTHON, "-m", "granian", "--interface", "wsgi", *bind, "--workers", "1", "--blocking-threads", str(threads),
                               "--log-level", "warning", "--no-access-log", "zhengtong.wsgi:application"],
        "gunicorn gthread, WSGI only": [PYTHON, "-m", "gunicorn", *gunicorn_bind, "-k", "gthread", "--threads", str(threads),
                                        "--log-level", "warning", "zhengtong.wsgi:application"],
    }


def wrk(url: str, seconds: int, connections: int, header: str = "") -> tuple[float, str]:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    if header:
        command[1:1] = ["-H", header]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p99 = re.search(r"^\s+99%\s+(\S+)$", output, re.MULTILINE)  # in the latency distribution, not a thread's stats
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        raise RuntimeError(f"{url}: {errors.group(1)} failed responses\n{output}")
    return rate, p99.group(1) if p99 else "?"


def signed_in(base: str) -> tuple[urllib.request.OpenerDirector, http.cookiejar.CookieJar, float]:
    """A browser-like session signed in through the page; returns it with the POST's latency in ms."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/accounts/sign-in/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    body = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": "bench", "password": PASSWORD}).encode()
    started = time.perf_counter()
    response = opener.open(urllib.request.Request(f"{base}/accounts/sign-in/", data=body, headers={"Referer": base}))
    elapsed = (time.perf_counter() - started) * 1000
    if "/accounts/sign-in" in response.geturl():
        raise RuntimeError("sign-in failed")
    return opener, jar, elapsed


def websocket_opens(base: str, jar: http.cookiejar.CookieJar) -> bool:
    """Does the same port accept the signed-in page's live connection and greet it?"""
    from websockets.sync.client import connect

    cookies = "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar)
    try:
        with connect(f"ws{base.removeprefix('http')}/ws/events/", origin=base, additional_headers={"Cookie": cookies},  # type: ignore[arg-type]
                     open_timeout=5) as socket:
            return '"hello"' in str(socket.recv(timeout=5))
    except Exception:  # noqa: BLE001  (any failure to open or greet is a "no")
        return False


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=16, help="WSGI threads of each server (ZT_HTTP_THREADS, shipped: 16)")
    parser.add_argument("--only", default="", help="run only the servers whose name contains this")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install wrk")
    print(f"# HTTP benchmark, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {machine()}, load average {os.getloadavg()[0]:.2f}")
    print(f"# wrk -t2 -c{args.connections} -d{args.seconds}s on the same machine (load generator shares the 2 cores)\n")
    print("| server (one process) | /healthz req/s | healthz p99 | /api/accounts/me req/s | me p99 | ratio me/healthz "
          "| WebSocket on the port |")
    print("|---|---|---|---|---|---|---|")
    timings: list[float] = []
    with deployment(ZT_HTTP_THREADS=str(args.threads)) as env:
        token = manage(env, "shell", "-c", SETUP).strip().splitlines()[-1]
        for name in [name for name in servers(0, args.threads) if args.only in name]:
            port = free_port()
            with server(env, port, command=servers(port, args.threads)[name]) as base:
                wrk(f"{base}/healthz", 2, args.connections)  # warm up
                bare, bare_p99 = wrk(f"{base}/healthz", args.seconds, args.connections)
                me, me_p99 = wrk(f"{base}/api/accounts/me", args.seconds, args.connections, f"Authorization: Bearer {token}")
                _opener, jar, _elapsed = signed_in(base)
                socket = "yes" if websocket_opens(base, jar) else "no"
                print(f"| {name} | {bare:,.0f} | {bare_p99} | {me:,.0f} | {me_p99} | {me / bare:.2f} | {socket} |", flush=True)
                if name.startswith("manage.py serve"):
                    timings = [signed_in(base)[2] for _ in range(20)]
        show_cost = "from django.conf import settings as s; print(s.ARGON2_TIME_COST, s.ARGON2_MEMORY_KIB, s.ARGON2_PARALLELISM)"
        cost = manage(env, "shell", "-c", show_cost).strip().splitlines()[-1].split()
        print(f"\nSign-in (GET form excluded, POST username+password, argon2id t={cost[0]} m={cost[1]} KiB p={cost[2]}): "
              f"p50 {statistics.median(timings or [0]):.0f} ms, max {max(timings or [0]):.0f} ms over {len(timings)} sign-ins")


if __name__ == "__main__":
    main()
