"""Serve pages, API and WebSockets on one port (uvicorn; see zhengtong/asgi.py)."""

from __future__ import annotations

import signal
import subprocess  # noqa: S404  (starts our own worker)
import sys
from typing import Any

import uvicorn
from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

DEMO_LOGINS_FILE = "demo-logins.txt"


class Command(BaseCommand):
    help = "Serve Zhengtong on HOST:PORT and print the address and the demo sign-ins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=1,
                            help="Processes. With ZT_REDIS_URL a push reaches every process at once; without it, "
                                 "each reads new events from the log every 0.25 s.")
        parser.add_argument("--no-worker", action="store_true", help="Do not start the background worker beside the server.")

    def handle(self, *args: Any, host: str, port: int, workers: int, no_worker: bool, **options: Any) -> None:
        logins = settings.VAR_DIR / DEMO_LOGINS_FILE
        self.stdout.write(self.style.SUCCESS(f"Zhengtong is serving on http://{host}:{port}/"))
        if logins.exists():
            self.stdout.write(logins.read_text(encoding="utf-8"))
        # Timers and deliveries run in their own process: a slow job never holds up a page.
        worker = None if no_worker else subprocess.Popen([sys.executable, str(settings.BASE_DIR / "manage.py"), "run_worker"])  # noqa: S603
        # After its graceful shutdown uvicorn raises the SIGTERM again under the handler it found;
        # the default one would end this process at once and leave the worker running.
        signal.signal(signal.SIGTERM, _exit)
        try:
            uvicorn.run(
                "zhengtong.asgi:application", host=host, port=port, workers=workers,
                proxy_headers=bool(settings.TRUSTED_PROXIES), forwarded_allow_ips=",".join(settings.TRUSTED_PROXIES) or None,
                log_level="warning", access_log=False, lifespan="off",
            )
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=10)


def _exit(signum: int, frame: object) -> None:
    raise SystemExit(0)
