from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from zhengtong.platform.audit.services import verify


class Command(BaseCommand):
    help = "Verify the audit chain; exit status 1 and the first bad record when it is broken."

    def handle(self, *args: Any, **options: Any) -> None:
        result = verify()
        if not result.ok:
            where = f"#{result.first_bad_seq}" if result.first_bad_seq is not None else "head"
            message = f"audit chain broken at {where}: {result.problem} ({result.checked} records verified before it)"
            raise CommandError(message, returncode=1)
        self.stdout.write(f"audit chain intact: {result.checked} records verified")
