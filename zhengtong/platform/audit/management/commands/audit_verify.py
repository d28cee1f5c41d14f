from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhengtong.platform.audit import signing
from zhengtong.platform.audit.verification import verify


class Command(BaseCommand):
    help = "Verify the audit trail; exit status 1 and what was tampered with when it was."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--verifier-key", action="store_true",
                            help="Print the checkpoints' verifier key (c2sp.org/signed-note) instead, for others to check them.")

    def handle(self, *args: Any, verifier_key: bool, **options: Any) -> None:
        if verifier_key:
            self.stdout.write(signing.signer().verifier().vkey())
            return
        result = verify()
        if not result.ok:
            where = f"#{result.first_bad_seq}" if result.first_bad_seq is not None else "checkpoints"
            message = f"audit trail broken at {where}: {result.problem} ({result.checked} records verified before it)"
            raise CommandError(message, returncode=1)
        self.stdout.write(f"audit trail intact: {result.checked} sealed records verified, {result.pending} pending")
