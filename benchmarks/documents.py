"""Official documents (公文): 发文 throughput and the incoming list at 100,000 documents.

1. Full 发文 flows, driven through ``documents.services`` in one process: draft → submit (two
   countersigning departments) → 核稿 → 会签 ×2 → 签发 → 复核 → 登记 → 印制 → 核发 to two units.
2. The incoming list (收文, first page of 20 and the paginator's count, as the list view asks
   them) for a registry clerk, with ~100,000 incoming documents across the units: no filter,
   a state filter, and a two-word text search. p50/p95 over ``--runs`` runs each.

The organisation is the documents tests' own (three units, each with a registry).

Usage: .venv/bin/python benchmarks/documents.py [--postgres] [--flows 100] [--documents 100000] [--runs 200]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import in_process_django, machine, percentiles  # noqa: E402

PG_DATABASE = "zt_bench_documents"
# Measured with services.index on a sample; the rest of the index is written in bulk (same rows).
INDEX_SAMPLE = 1_000
BATCH = 5_000

TOPICS = ["防汛", "抗旱", "水资源管理", "河长制", "安全生产", "节水型社会", "水土保持", "农村供水", "排水防涝", "水利工程建设",
          "地下水超采治理", "河湖清四乱", "水费收缴", "供水保障", "汛前检查", "水政执法", "预算执行", "干部培训", "疫情防控",
          "信访维稳"]
ACTIONS = ["做好", "加强", "开展", "落实", "规范", "推进", "组织", "部署"]
KINDS = [("通知", "的通知", 0.55), ("函", "的函", 0.15), ("请示", "的请示", 0.1), ("报告", "的报告", 0.1), ("通报", "的通报", 0.1)]
STATES = [("closed", 0.7), ("handling", 0.2), ("awaiting", 0.07), ("sent_back", 0.03)]


def throughput(org: Any, flows: int) -> tuple[float, float, float]:
    """Full 发文 flows per second, milliseconds per flow and SQL statements per flow."""
    from django.db import connection

    from zhengtong.apps.documents.tests.conftest import draft_notice, to_dispatch

    to_dispatch(org, draft_notice(org, title="预热：关于做好防汛工作的通知"))  # first use: jieba, process definitions
    statements = 0

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal statements
        statements += 1
        return execute(sql, params, many, context)

    started = time.perf_counter()
    with connection.execute_wrapper(count):
        for run in range(flows):
            document = to_dispatch(org, draft_notice(org, title=f"关于做好2026年防汛工作的通知（第{run + 1}期）"))
            if document.state != "dispatched" or document.deliveries.count() != 2:
                raise RuntimeError(f"flow {run} ended in {document.state}")
    elapsed = time.perf_counter() - started
    return flows / elapsed, elapsed / flows * 1000, statements / flows


def _pick(rng: random.Random, weighted: list[tuple[Any, float]]) -> Any:
    return rng.choices([value for value, _weight in weighted], weights=[weight for _value, weight in weighted])[0]


def _incoming_documents(org: Any, count: int) -> list[Any]:
    from django.utils import timezone

    from zhengtong.apps.documents.models import Document

    rng = random.Random(7)
    units = [org.units[name].unit for name in ("city", "east", "west")]
    senders = ["省水利厅", "市人民政府办公室", "市生态环境局", "市财政局", "市应急管理局", "市发展改革委"]
    clerk = org.people["east_clerk"]
    now = timezone.now()
    documents = []
    for n in range(count):
        doc_type, ending, _weight = rng.choices(KINDS, weights=[kind[2] for kind in KINDS])[0]
        topic = rng.choice(TOPICS)
        title = f"关于{rng.choice(ACTIONS)}{2020 + n % 7}年{topic}工作{ending}"
        body = (f"为{rng.choice(ACTIONS)}{topic}工作，根据上级部署，现将有关事项{doc_type}如下：\n"
                f"一、提高思想认识，{rng.choice(ACTIONS)}{rng.choice(TOPICS)}。\n二、压实工作责任，确保按期完成。\n"
                f"三、请于{rng.randrange(1, 13)}月{rng.randrange(1, 29)}日前报送{rng.choice(TOPICS)}情况。")
        sender = rng.choice(senders)
        documents.append(Document(
            direction=Document.Direction.INCOMING, unit=units[n % len(units)], doc_type=doc_type, title=title, body=body,
            state=_pick(rng, STATES), classification=rng.choice((0, 0, 0, 1)), issuer_mark=sender, sender_name=sender,
            number=f"文〔{2020 + n % 7}〕{n + 1}号", drafter=clerk, created_at=now - dt.timedelta(minutes=count - n)))
    return documents


def load_incoming(org: Any, count: int) -> dict[str, float]:
    """Bulk-create the incoming documents and their search index; the seconds each part took."""
    from django.db import connection, transaction
    from django.utils import timezone

    from zhengtong.apps.documents.models import Document
    from zhengtong.apps.documents.services import SEARCH_KIND
    from zhengtong.platform.search import services as search
    from zhengtong.platform.search.models import Entry, Term

    timings: dict[str, float] = {}
    begin = time.perf_counter()
    unsaved = _incoming_documents(org, count)
    for start in range(0, count, BATCH):
        with transaction.atomic():
            Document.objects.bulk_create(unsaved[start:start + BATCH], batch_size=1000)
    timings["documents"] = time.perf_counter() - begin
    documents = list(Document.objects.filter(direction="in", source__isnull=True).order_by("id").values_list("id", "title", "number",
                                                                                                             "body"))
    sample, rest = documents[:INDEX_SAMPLE], documents[INDEX_SAMPLE:]

    begin = time.perf_counter()
    with transaction.atomic():
        for pk, title, number, body in sample:
            search.index(SEARCH_KIND, pk, title=f"{title} {number} ", body=body)  # the text services._index gives it
    timings["index_sample"] = time.perf_counter() - begin

    begin = time.perf_counter()
    tokens = [search.weighted_tokens(f"{title} {number} ", body) for _pk, title, number, body in rest]
    timings["tokenize"] = time.perf_counter() - begin
    begin = time.perf_counter()
    now = timezone.now()
    for start in range(0, len(rest), BATCH):
        chunk = rest[start:start + BATCH]
        with transaction.atomic():
            entries = Entry.objects.bulk_create([Entry(kind=SEARCH_KIND, object_id=pk, updated_at=now) for pk, *_text in chunk],
                                                batch_size=1000)
            if entries[0].pk is None:  # backends that do not return ids from a bulk insert
                ids = dict(Entry.objects.filter(kind=SEARCH_KIND, object_id__in=[pk for pk, *_text in chunk])
                           .values_list("object_id", "pk"))
                for entry in entries:
                    entry.pk = ids[entry.object_id]
            # Plain executemany: at ~40 terms a document, building Term objects costs more than the database does.
            with connection.cursor() as cursor:
                cursor.executemany(f"INSERT INTO {Term._meta.db_table} (entry_id, token, weight) VALUES (%s, %s, %s)",  # noqa: S608
                                   [(entry.pk, token, weight)
                                    for entry, weights in zip(entries, tokens[start:start + BATCH], strict=True)
                                    for token, weight in weights.items()])
    timings["bulk_write"] = time.perf_counter() - begin
    timings["terms"] = Term.objects.count()
    return timings


def analyse() -> None:
    """Statistics for the planner, and on PostgreSQL the visibility map that autovacuum would have set
    by now: without it every index-only scan of the search postings reads the table too (2.5x slower)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def list_latency(user: Any, filters: Any, runs: int) -> tuple[float, float, int]:
    """What the list view asks: the first page of 20 and the count for the paginator."""
    from django.core.paginator import Paginator

    from zhengtong.apps.documents import queries

    timings = []
    total = 0
    for _run in range(runs):
        begin = time.perf_counter()
        page = Paginator(queries.listing(user, filters), 20).get_page(1)
        rows = list(page)
        total = page.paginator.count
        timings.append((time.perf_counter() - begin) * 1000)
        if len(rows) > 20:
            raise RuntimeError("more than a page")
    p50, p95 = percentiles(timings)
    return p50, p95, total


def capped_latency(user: Any, filters: Any, runs: int, cap: int = 1_000) -> tuple[float, float]:
    """The same first page with the count stopped at ``cap`` + 1 rows (a pager that says "1000+")."""
    from zhengtong.apps.documents import queries

    timings = []
    for _run in range(runs):
        begin = time.perf_counter()
        listing = queries.listing(user, filters)
        list(listing[:20])
        listing[:cap + 1].count()
        timings.append((time.perf_counter() - begin) * 1000)
    return percentiles(timings)


def explain(user: Any, filters: Any) -> str:
    from zhengtong.apps.documents import queries

    listing = queries.listing(user, filters)
    # What the count reads (Django has no explain() for count()).
    return f"-- page\n{listing[:20].explain()}\n-- count\n{listing.order_by().values('pk').explain()}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--flows", type=int, default=100)
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--explain", action="store_true", help="print the query plans of the three lists")
    args = parser.parse_args()
    with in_process_django(PG_DATABASE, postgres=args.postgres) as engine:
        from zhengtong.apps.documents.models import Document
        from zhengtong.apps.documents.queries import Filters
        from zhengtong.apps.documents.tests.conftest import build_org

        print(f"# Official documents benchmark, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {machine()}, {engine}")
        org = build_org()
        rate, per_flow, statements = throughput(org, args.flows)
        print(f"full 发文 flow (draft, submit, 核稿, 会签 x2, 签发, 复核, 登记, 印制, 核发 to 2 units): "
              f"{rate:.1f} flows/s, {per_flow:.0f} ms per flow, {statements:.0f} SQL statements per flow, over {args.flows} flows")

        timings = load_incoming(org, args.documents)
        sample_ms = timings["index_sample"] / INDEX_SAMPLE * 1000
        print(f"loaded {args.documents:,} incoming documents in {timings['documents']:.1f} s (bulk_create)")
        print(f"search index: services.index {sample_ms:.2f} ms per document ({INDEX_SAMPLE:,} documents, one transaction); "
              f"bulk for the rest: tokenizing {timings['tokenize']:.1f} s + writing {timings['bulk_write']:.1f} s "
              f"({(timings['tokenize'] + timings['bulk_write']) / max(1, args.documents - INDEX_SAMPLE) * 1000:.2f} ms per document), "
              f"{int(timings['terms']):,} terms")
        analyse()
        clerk = org.people["east_clerk"]
        print(f"incoming documents of the clerk's unit: {Document.objects.filter(direction='in', unit=org.units['east'].unit).count():,}")
        cases = [("incoming list", Filters(direction="in")),
                 ("incoming list, state=handling", Filters(direction="in", state="handling")),
                 ("incoming list, search 防汛 通知", Filters(direction="in", text="防汛 通知"))]
        for label, filters in cases:
            list_latency(clerk, filters, 5)  # warm the caches
            p50, p95, total = list_latency(clerk, filters, args.runs)
            print(f"{label} (first 20 + count, {total:,} rows): p50 {p50:.2f} ms, p95 {p95:.2f} ms over {args.runs} runs")
            p50, p95 = capped_latency(clerk, filters, args.runs)
            print(f"  the same with the count capped at 1,001 rows: p50 {p50:.2f} ms, p95 {p95:.2f} ms")
            if args.explain:
                print(explain(clerk, filters))


if __name__ == "__main__":
    main()
