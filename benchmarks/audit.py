"""The audit trail: what a record costs its writer, and how fast the worker seals and verification checks.

Writes ``--records`` records (each in its own transaction, as a service's would be), seals them
(``audit.services.seal_pending``: positions, RFC 9162 leaves, one signed checkpoint per 1,000) and
verifies the lot, on a throw-away SQLite or PostgreSQL database.

Usage: .venv/bin/python benchmarks/audit.py [--records 20000] [--postgres]  (creates and drops zt_bench_audit)
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import in_process_django, machine  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=20000)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    with in_process_django("zt_bench_audit", postgres=args.postgres) as engine:
        from django.db import connection, transaction
        from django.test.utils import CaptureQueriesContext

        from zhengtong.platform.audit import services
        from zhengtong.platform.audit.verification import verify

        with transaction.atomic(), CaptureQueriesContext(connection) as queries:
            services.record("bench.event", actor_name="bench", detail="counted")
        started = time.perf_counter()
        for number in range(args.records):
            services.record("bench.event", actor_name="bench", detail=str(number), changes={"n": [number, number + 1]})
        written = time.perf_counter() - started
        started = time.perf_counter()
        sealed = services.seal_pending()
        sealing = time.perf_counter() - started
        started = time.perf_counter()
        result = verify()
        checking = time.perf_counter() - started
    print(f"# Audit trail, {engine}, {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC, {machine()}, load {os.getloadavg()[0]:.1f}")
    verbs = [query["sql"].split()[0] for query in queries.captured_queries]
    print(f"statements per record in its writer's transaction: {len(verbs)} ({', '.join(verbs)})")
    print(f"written: {args.records:,} in {written:.1f} s ({args.records / written:,.0f}/s, one transaction each)")
    print(f"sealed: {sealed:,} in {sealing:.2f} s ({sealed / sealing:,.0f}/s)")
    print(f"verified: {result.checked:,} in {checking:.2f} s ({result.checked / checking:,.0f}/s), intact: {result.ok}")


if __name__ == "__main__":
    main()
