"""Put every process's entries in the to-do list in step with it: after restoring the workflow
tables from a backup, or to repair the list."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from zhengtong.platform.workflow.models import ProcessInstance
from zhengtong.platform.workflow.todos import mirror_now


class Command(BaseCommand):
    help = "Bring the to-do entries of every process in step with the workflow."

    def handle(self, *args: Any, **options: Any) -> None:
        count = 0
        for instance_id in ProcessInstance.objects.order_by("pk").values_list("pk", flat=True).iterator():
            mirror_now(instance_id)
            count += 1
        self.stdout.write(f"{count} processes mirrored")
