from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from zhengtong.errors import ServiceError
from zhengtong.platform.audit.services import purge_expired


class Command(BaseCommand):
    help = "Remove audit records older than AUDIT_RETENTION_DAYS (ZT_AUDIT_RETENTION_DAYS); refuses when the trail does not verify."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            removed = purge_expired()
        except ServiceError as exc:
            raise CommandError(exc.message, returncode=1) from None
        self.stdout.write(f"removed {removed} audit records older than {settings.AUDIT_RETENTION_DAYS} days")
