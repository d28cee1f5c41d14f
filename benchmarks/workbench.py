"""Workbench first-page latency: the 待办 tab (first 20, with the counts per tab and per app)
with 1,000,000 entries across 10,000 people; p50/p95 over 500 random people.

Usage: .venv/bin/python benchmarks/workbench.py [--postgres] [--entries 1000000] [--people 10000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import in_process_django, machine  # noqa: E402

PG_DATABASE = "zt_bench_workbench"
SAMPLES = 500
# Roughly how a person's list looks: most entries done, one in ten waiting, some copies and drafts.
TABS = [("done", 0.72), ("todo", 0.10), ("started", 0.08), ("copied", 0.06), ("to_read", 0.03), ("drafts", 0.01)]
APPS = ["workflow", "documents", "hotline", "permits", "meetings", "water"]


def load(entries: int, people_count: int) -> list[int]:
    from django.db import connection, transaction
    from django.utils import timezone

    from zhengtong.platform.accounts.models import User
    from zhengtong.platform.todo.models import UNDATED, Entry

    rng = random.Random(7)
    now = timezone.now()
    with transaction.atomic():
        User.objects.bulk_create((User(username=f"p{i:05d}", display_name=f"人员{i}", password="!", clearance=1)
                                  for i in range(people_count)), batch_size=5000)
    ids = list(User.objects.filter(username__startswith="p").values_list("pk", flat=True))
    tabs, weights = zip(*TABS, strict=True)
    batch = 50_000
    for start in range(0, entries, batch):
        rows = []
        for n in range(start, min(start + batch, entries)):
            tab = rng.choices(tabs, weights)[0]
            closed = tab == "done" or (tab in ("started", "copied", "to_read") and rng.random() < 0.5)
            due = now + dt.timedelta(hours=rng.randrange(-120, 480)) if tab == "todo" and rng.random() < 0.7 else None
            rows.append(Entry(
                user_id=rng.choice(ids), app=rng.choice(APPS), kind="bench.item", object_id=str(n), title=f"关于第{n}号事项的请示",
                subtitle="核稿", link=f"/workflow/instances/{n}/", sender_name="张三", tab=tab, state="closed" if closed else "open",
                urgency="urgent" if rng.random() < 0.05 else "normal", due_at=due, due_sort=due or UNDATED,
                warn_at=due - dt.timedelta(hours=24) if due else None, created_at=now - dt.timedelta(minutes=rng.randrange(500_000)),
                completed_at=now if closed else None))
        with transaction.atomic():
            Entry.objects.bulk_create(rows, batch_size=5000)
        print(f"  loaded {min(start + batch, entries):,} entries", file=sys.stderr)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return ids


def first_page_latency(ids: list[int]) -> tuple[float, float]:
    from zhengtong.platform.accounts.models import User
    from zhengtong.platform.todo import queries

    rng = random.Random(11)
    timings = []
    for pk in rng.sample(ids, min(SAMPLES, len(ids))):
        user = User.objects.get(pk=pk)
        begin = time.perf_counter()
        page = list(queries.entries(user, queries.Filters())[:queries.PAGE_SIZE])
        queries.tab_counts(user)
        queries.app_counts(user)
        timings.append((time.perf_counter() - begin) * 1000)
        if any(entry.user_id != pk or entry.tab != "todo" for entry in page):
            raise RuntimeError("the 待办 tab returned someone else's or another tab's entries")
    ordered = sorted(timings)
    return statistics.median(ordered), ordered[int(len(ordered) * 0.95) - 1]


def plan(ids: list[int]) -> str:
    from zhengtong.platform.accounts.models import User
    from zhengtong.platform.todo import queries

    return queries.entries(User.objects.get(pk=ids[0]), queries.Filters())[:queries.PAGE_SIZE].explain()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--people", type=int, default=10_000)
    args = parser.parse_args()
    with in_process_django(PG_DATABASE, postgres=args.postgres) as engine:
        print(f"# Workbench benchmark, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {machine()}, {engine}")
        begin = time.perf_counter()
        ids = load(args.entries, args.people)
        print(f"loaded {args.entries:,} entries across {args.people:,} people in {time.perf_counter() - begin:.0f} s")
        print("plan of the first page:", plan(ids).replace("\n", " | "))
        p50, p95 = first_page_latency(ids)
        people = min(SAMPLES, len(ids))
        print(f"待办 first page (20 rows + counts per tab + counts per app): p50 {p50:.2f} ms, p95 {p95:.2f} ms over {people} people")


if __name__ == "__main__":
    main()
