"""``manage.py deliver_webhooks [--loop] [--interval 5]``: send the change feed's due webhook deliveries."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from zhengtong.platform.directory import webhooks


class Command(BaseCommand):
    help = "Send due webhook deliveries once, or keep sending them with --loop (several workers may run side by side)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true", help="Keep running; wait --interval seconds when nothing is due.")
        parser.add_argument("--interval", type=float, default=5.0)
        parser.add_argument("--limit", type=int, default=100, help="Deliveries per round.")

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            counts = webhooks.deliver_due(limit=options["limit"])
            if any(counts.values()) or not options["loop"]:
                self.stdout.write(", ".join(f"{outcome}: {count}" for outcome, count in counts.items()))
            if not options["loop"]:
                return
            if sum(counts.values()) < options["limit"]:
                time.sleep(options["interval"])
            # A long-running loop must not hold a connection the database has dropped.
            close_old_connections()
