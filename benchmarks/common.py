"""Shared helpers for the benchmark scripts: a throw-away deployment and a server process."""

from __future__ import annotations

import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory_kib = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    return f"{os.cpu_count()} cores ({cpu}), {memory_kib / 1024 / 1024:.0f} GiB, Python {platform.python_version()}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def environment(var_dir: Path, **extra: str) -> dict[str, str]:
    env = {**os.environ, "ZT_VAR_DIR": str(var_dir), "DJANGO_SETTINGS_MODULE": "zhengtong.settings", **extra}
    env.pop("ZT_DEBUG", None)
    return env


def manage(env: dict[str, str], *args: str, root: Path = ROOT) -> str:
    done = subprocess.run([PYTHON, "manage.py", *args], cwd=root, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args[:2])} failed:\n{done.stderr[-3000:]}")
    return done.stdout


@contextmanager
def deployment(root: Path = ROOT, **extra: str) -> Iterator[dict[str, str]]:
    """A migrated throw-away deployment (SQLite unless ZT_DATABASE_URL says otherwise) of the code at ``root``."""
    with tempfile.TemporaryDirectory(prefix="zt-bench-") as var_dir:
        env = environment(Path(var_dir), **extra)
        manage(env, "migrate", "--noinput", "--verbosity", "0", root=root)
        yield env


@contextmanager
def server(env: dict[str, str], port: int, workers: int = 1, command: list[str] | None = None, root: Path = ROOT) -> Iterator[str]:
    """``manage.py serve`` on ``port`` (in the checkout ``root``), or another server's ``command`` line listening there."""
    # The server's log goes to a file: an unread pipe fills up and freezes the server mid-run.
    log = (Path(env["ZT_VAR_DIR"]) / f"server-{port}.log").open("w")
    process = subprocess.Popen(
        command or [PYTHON, "manage.py", "serve", "--port", str(port), "--workers", str(workers)],
        cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        # Up to 30 s: two server processes importing Django on a loaded machine take a while.
        for _ in range(300):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError(f"server did not start: {Path(log.name).read_text()[-3000:]}")
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:  # granian waits for idle keep-alive connections
            process.kill()
            process.wait(timeout=10)
        log.close()


def percentiles(samples: list[float]) -> tuple[float, float]:
    """p50 and p95."""
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(len(ordered) * 0.95) - 1]


@contextmanager
def in_process_django(name: str, *, postgres: bool, **extra: str) -> Iterator[str]:
    """Django set up in this process on a throw-away database — SQLite in a temporary folder, or
    the PostgreSQL database ``name``, created fresh and dropped after — migrated; yields the engine's name.
    People are created with a cheap password hash: hashing is not what these benchmarks measure."""
    psql = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c"]
    if postgres:
        subprocess.run([*psql, f"DROP DATABASE IF EXISTS {name}"], check=True)  # noqa: S603
        subprocess.run([*psql, f"CREATE DATABASE {name}"], check=True)  # noqa: S603
    with tempfile.TemporaryDirectory(prefix=f"{name}-") as var_dir:
        os.environ.update({"ZT_VAR_DIR": var_dir, "DJANGO_SETTINGS_MODULE": "zhengtong.settings", "ZT_LOG_LEVEL": "WARNING",
                           "ZT_ARGON2_TIME_COST": "1", "ZT_ARGON2_MEMORY_KIB": "1024", "ZT_ARGON2_PARALLELISM": "1", **extra})
        if postgres:
            os.environ["ZT_DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{name}"
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0)
        try:
            yield "PostgreSQL" if postgres else "SQLite"
        finally:
            from django.db import connections

            connections.close_all()  # the database is dropped next
    if postgres:
        subprocess.run([*psql, f"DROP DATABASE IF EXISTS {name}"], check=True)  # noqa: S603


def load_average() -> str:
    """The 1-minute load average when a figure is taken: other work on the same cores shows in it."""
    return f"{os.getloadavg()[0]:.1f}"
