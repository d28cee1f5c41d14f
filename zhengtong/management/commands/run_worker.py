import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from zhengtong.worker import run_once


class Command(BaseCommand):
    help = "Run the background worker: workflow timers and other due work, in a loop (or --once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run every job once and exit.")
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between rounds.")

    def handle(self, *args: Any, once: bool, interval: float, **options: Any) -> None:
        while True:
            done = run_once()
            if once:
                self.stdout.write(", ".join(f"{name}: {count}" for name, count in done.items()))
                return
            time.sleep(interval)
            # A long-running loop must not hold a connection the database has dropped.
            close_old_connections()
