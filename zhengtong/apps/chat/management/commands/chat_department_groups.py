"""Turn department groups on: ``--all`` for every department, or the departments named by id."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from zhengtong.apps.chat import departments


class Command(BaseCommand):
    help = "Turn on the chat group of departments (each holds the department's people and follows the directory)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("department", nargs="*", type=int, help="Department ids.")
        parser.add_argument("--all", action="store_true", help="Every active department.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["all"] == bool(options["department"]):
            raise CommandError("Name departments by id, or give --all.")
        groups = (departments.enable_all(acting_user=None) if options["all"] else
                  [departments.enable(acting_user=None, department_id=pk) for pk in options["department"]])
        for group in groups:
            self.stdout.write(f"{group.title}: {group.members.filter(left_at__isnull=True).count()}")
