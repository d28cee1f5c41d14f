"""HTTP throughput of the served system: authenticated GET /api/accounts/me against the
same server's bare /healthz, for both ways of bringing HTTP to Django under the ASGI server
(ZT_HTTP_MODE=wsgi: a2wsgi, one thread hand-off per request; asgi: Django's ASGI handler),
plus the sign-in latency at the configured Argon2 cost.

Needs wrk (Debian package `wrk`). Usage: .venv/bin/python benchmarks/http_throughput.py [--seconds 10]
Only ever targets 127.0.0.1.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.cookiejar
import re
import shutil
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent.parent))

from benchmarks.common import deployment, free_port, machine, manage, server  # noqa: E402

PASSWORD = "Load-Test-2026!"
SETUP = f"""
from zhengtong.platform.access.models import Role
from zhengtong.platform.access.services import assign_role
from zhengtong.platform.accounts.services import create_token, create_user
user = create_user(acting_user=None, username="bench", display_name="压测用户", password="{PASSWORD}", must_change_password=False)
assign_role(acting_user=None, user=user, role=Role.objects.get(code="staff"))
print(create_token(user=user, name="bench", scopes=["read"], days=1)[1])
"""


def wrk(url: str, seconds: int, connections: int, header: str = "") -> tuple[float, str]:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    if header:
        command[1:1] = ["-H", header]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p99 = re.search(r"99%\s+(\S+)", output)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        raise RuntimeError(f"{url}: {errors.group(1)} failed responses\n{output}")
    return rate, p99.group(1) if p99 else "?"


def sign_in_latency(base: str, rounds: int) -> list[float]:
    timings = []
    for _ in range(rounds):
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        page = opener.open(f"{base}/accounts/sign-in/").read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": "bench", "password": PASSWORD}).encode()
        started = time.perf_counter()
        response = opener.open(urllib.request.Request(f"{base}/accounts/sign-in/", data=body, headers={"Referer": base}))
        timings.append((time.perf_counter() - started) * 1000)
        if "/accounts/sign-in" in response.geturl():
            raise RuntimeError("sign-in failed")
    return timings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install wrk")
    print(f"# HTTP benchmark, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {machine()}")
    print(f"# wrk -t2 -c{args.connections} -d{args.seconds}s on the same machine (load generator shares the 2 cores)\n")
    print("| HTTP mode | /healthz req/s | /api/accounts/me req/s | ratio me/healthz | me p99 |")
    print("|---|---|---|---|---|")
    with deployment() as env:
        token = manage(env, "shell", "-c", SETUP).strip().splitlines()[-1]
        for mode in ("wsgi", "asgi"):
            port = free_port()
            with server({**env, "ZT_HTTP_MODE": mode}, port) as base:
                wrk(f"{base}/healthz", 2, args.connections)  # warm up
                bare, _ = wrk(f"{base}/healthz", args.seconds, args.connections)
                me, me_p99 = wrk(f"{base}/api/accounts/me", args.seconds, args.connections, f"Authorization: Bearer {token}")
                print(f"| {mode} | {bare:,.0f} | {me:,.0f} | {me / bare:.2f} | {me_p99} |")
                if mode == "wsgi":
                    timings = sign_in_latency(base, 20)
        show_cost = "from django.conf import settings as s; print(s.ARGON2_TIME_COST, s.ARGON2_MEMORY_KIB, s.ARGON2_PARALLELISM)"
        cost = manage(env, "shell", "-c", show_cost).strip().splitlines()[-1].split()
        print(f"\nSign-in (GET form excluded, POST username+password, argon2id t={cost[0]} m={cost[1]} KiB p={cost[2]}): "
              f"p50 {statistics.median(timings):.0f} ms, max {max(timings):.0f} ms over {len(timings)} sign-ins")


if __name__ == "__main__":
    main()
