from __future__ import annotations

from typing import Any

import pytest

from zhengtong.platform.audit import services
from zhengtong.platform.audit.models import AuditRecord


@pytest.fixture
def seal(db: Any, django_capture_on_commit_callbacks: Any) -> Any:
    """``seal()``: what the worker does, the witness file written as after a real commit."""
    def run() -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return services.seal_pending()

    return run


@pytest.fixture
def sealed(seal: Any) -> list[AuditRecord]:
    """Ten records, #1 to #10, sealed in two checkpoints (of 5 and of 10 records)."""
    for half in range(2):
        for n in range(5 * half + 1, 5 * half + 6):
            services.record("test.event", actor_name="tester", detail=f"event {n}", changes={"n": [n - 1, n]})
        assert seal() == 5
    return list(AuditRecord.objects.order_by("seq"))
