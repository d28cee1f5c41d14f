"""``manage.py load_demo [--once]``: the demo organisation; ``--people N``: a synthetic one for benchmarks."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhengtong import demo


class Command(BaseCommand):
    help = "Load the demo organisation (市水务局) and print its sign-ins, or generate a large synthetic organisation."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Do nothing if the demo is already loaded.")
        parser.add_argument("--people", type=int, help="Generate a synthetic organisation of this many people instead.")

    def handle(self, *args: Any, once: bool, people: int | None, **options: Any) -> None:
        if people is not None:
            if once or people < 1:
                raise CommandError("--people takes a positive number and cannot be combined with --once.")
            started = time.monotonic()
            unit = demo.load_synthetic(people, progress=options["verbosity"] > 0)
            elapsed = time.monotonic() - started
            self.stdout.write(self.style.SUCCESS(f"Loaded {people} synthetic people into {unit.name} in {elapsed:.1f} s."))
            return
        if demo.demo_loaded():
            if once:
                self.stdout.write(f"The demo organisation is already loaded; sign-ins are in {demo.logins_path()}.")
                return
            raise CommandError("The demo organisation is already loaded (use --once to skip quietly).")
        demo.load_demo()
        self.stdout.write(self.style.SUCCESS(f"Demo organisation loaded; sign-ins written to {demo.logins_path()}:"))
        self.stdout.write(demo.logins_path().read_text(encoding="utf-8"))
