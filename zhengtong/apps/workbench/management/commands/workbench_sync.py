"""Mirror every process into the workbench: run once after installing the app on existing data,
or to repair the list after restoring the workflow tables from a backup."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from zhengtong.apps.workbench.sources import sync_instance
from zhengtong.platform.workflow.models import ProcessInstance


class Command(BaseCommand):
    help = "Bring the workbench entries of every process in step with the workflow."

    def handle(self, *args: Any, **options: Any) -> None:
        count = 0
        for instance_id in ProcessInstance.objects.order_by("pk").values_list("pk", flat=True).iterator():
            sync_instance(instance_id)
            count += 1
        self.stdout.write(f"{count} processes mirrored")
