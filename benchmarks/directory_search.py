"""Directory search latency at 100,000 people: name, full pinyin, initials, mixed and department queries.

Builds a throw-away deployment, loads a synthetic organisation (which builds the search index
in bulk), then times ``search.search_people`` in that deployment's own process: p50/p95 over
several distinct query strings per kind, as an ordinary member of staff sees it.

Usage: .venv/bin/python benchmarks/directory_search.py [--people 100000] [--runs 200] [--postgres]
With --postgres it also runs against a local PostgreSQL (database zt_bench_search, created and
dropped here with psql -h 127.0.0.1 -U postgres).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import PYTHON, ROOT, deployment, machine, manage  # noqa: E402

POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/zt_bench_search"

# Run inside the deployment: the queries are drawn from the loaded people, so they match as real ones would.
TIMER = r"""
import json, random, statistics, sys, time
import django
django.setup()
from django.db import connection
from zhengtong.platform.accounts.models import User
from zhengtong.platform.directory.models import Department, Membership
from zhengtong.platform.directory.search import name_readings, search_people

runs = int(sys.argv[1])
rng = random.Random(7)
people = list(User.objects.filter(memberships__isnull=False).order_by("?").values_list("display_name", flat=True)[:400])
viewer = User.objects.get(pk=Membership.objects.order_by("id").values_list("user_id", flat=True).first())
def reading(name):
    return "".join(name_readings(name)[0][0])
names = [n for n in people if len(n) == 3][:10]
departments = list(Department.objects.filter(kind="department").order_by("?").values_list("name", flat=True)[:10])
queries = {
    "name (张伟, 3 characters)": names,
    "name (surname only)": [n[0] for n in people[:10]],
    "full pinyin": [reading(n) for n in names],
    "initials": ["".join(s[0] for s in name_readings(n)[0][0]) for n in names],
    "mixed (zhangs)": [reading(n)[:-2] for n in names],
    "mixed (张s)": [n[:-1] + name_readings(n)[0][0][-1][0] for n in names],
    "department": departments,
    "post (科员: 90,000 holders)": ["科员"],
}
search_people(viewer, "warm-up")
out = {}
for kind, texts in queries.items():
    timings, found = [], []
    for run in range(runs):
        text = texts[run % len(texts)]
        started = time.perf_counter()
        results = search_people(viewer, text)
        timings.append((time.perf_counter() - started) * 1000)
        found.append(len(results))
    timings.sort()
    out[kind] = {"p50": statistics.median(timings), "p95": timings[int(len(timings) * 0.95) - 1], "max": timings[-1],
                 "results": statistics.mean(found), "examples": texts[:3]}
print(json.dumps({"vendor": connection.vendor, "results": out}, ensure_ascii=False))
"""


def psql(sql: str) -> None:
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-v", "ON_ERROR_STOP=1", "-qc", sql], check=True)


def measure(env: dict[str, str], people: int, runs: int) -> tuple[dict, str]:
    started = time.monotonic()
    loaded = manage(env, "load_demo", "--people", str(people), "--verbosity", "0")
    load_seconds = time.monotonic() - started
    started = time.monotonic()
    manage(env, "directory_reindex", "--verbosity", "0")
    check_seconds = time.monotonic() - started
    done = subprocess.run([PYTHON, "-c", TIMER, str(runs)], cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"timing failed:\n{done.stderr[-3000:]}")
    report = json.loads(done.stdout.strip().splitlines()[-1])
    return report, (f"{loaded.strip()} (load including the index build: {load_seconds:.1f} s; "
                    f"directory_reindex check of the built index: {check_seconds:.1f} s)")


def show(report: dict, note: str) -> None:
    print(f"\n{report['vendor']}: {note}")
    print(f"{'query':<30}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'results':>9}  examples")
    for kind, row in report["results"].items():
        print(f"{kind:<30}{row['p50']:>9.2f}{row['p95']:>9.2f}{row['max']:>9.2f}{row['results']:>9.1f}  {', '.join(row['examples'])}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--postgres", action="store_true", help=f"also run on PostgreSQL ({POSTGRES_URL})")
    args = parser.parse_args()
    print(f"{dt.datetime.now(dt.UTC).date()} · {machine()} · {args.people} people · {args.runs} runs per kind")
    with deployment() as env:
        show(*measure(env, args.people, args.runs))
    if args.postgres:
        psql("DROP DATABASE IF EXISTS zt_bench_search")
        psql("CREATE DATABASE zt_bench_search")
        try:
            with deployment(ZT_DATABASE_URL=POSTGRES_URL) as env:
                show(*measure(env, args.people, args.runs))
        finally:
            psql("DROP DATABASE IF EXISTS zt_bench_search")


if __name__ == "__main__":
    main()
