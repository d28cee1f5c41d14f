"""The background worker's jobs: each takes "now" and does what has become due.

``manage.py run_worker`` runs them in a loop; ``manage.py serve`` starts one worker beside
the server. Every job is safe to run in several workers at once and after a crash: work is
claimed and completed in one transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from django.utils import timezone

logger = logging.getLogger(__name__)


def jobs() -> list[tuple[str, Callable[[datetime], int]]]:
    from zhengtong.platform import registry
    from zhengtong.platform.audit.services import seal_due
    from zhengtong.platform.directory.webhooks import deliver_due
    from zhengtong.platform.ledger.sequence import sweep
    from zhengtong.platform.notices.channels import run_due as notice_deliveries
    from zhengtong.platform.todo.services import notify_arrivals
    from zhengtong.platform.workflow.deadlines import run_due as workflow_timers

    return [
        ("workflow timers", lambda now: workflow_timers(now)),
        ("to-do arrival notices", notify_arrivals),
        ("directory webhooks", lambda now: sum(deliver_due(now=now).values())),
        ("notice deliveries and escalation", notice_deliveries),
        # Readers number what they read themselves; this keeps the logs numbered when nobody reads.
        ("cursor logs", lambda now: sweep()),
        ("audit sealing", seal_due),
        *registry.current().jobs.items(),  # the apps' own, declared in their manifests
    ]


def run_once(now: datetime | None = None) -> dict[str, int]:
    """Run every job once; a failing job is logged and does not stop the others."""
    done = {}
    for name, job in jobs():
        try:
            done[name] = job(now or timezone.now())
        except Exception:  # noqa: BLE001  (one broken job must not stop the rest; it retries next round)
            logger.exception("worker job %s failed", name)
            done[name] = -1
    return done
