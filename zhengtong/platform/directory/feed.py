"""The change feed: every change to the organisation becomes a ``ChangeEvent`` row.

Written by the services in the same transaction as the change (an outbox), together with
one pending ``WebhookDelivery`` per interested webhook, so a change is never announced
without having happened nor lost after it happened.

Readers follow the feed by position (``since=<last position seen>``). The writer gives its row
no position and takes no lock; the sequencer (ledger/sequence.py) numbers committed rows in
commit order when a reader asks (``changes``) and before webhooks are delivered, so a reader at
position N never later finds an event below N, whichever transaction committed first.
"""

from __future__ import annotations

from typing import Any

from zhengtong.platform.directory.models import ChangeEvent, Webhook, WebhookDelivery
from zhengtong.platform.ledger import sequence


def emit(entity: str, entity_id: Any, action: str, data: dict[str, Any], external_id: str | None = "") -> ChangeEvent:
    event = ChangeEvent.objects.create(entity=entity, entity_id=str(entity_id), external_id=external_id or "", action=action, data=data)
    WebhookDelivery.objects.bulk_create(
        WebhookDelivery(webhook=webhook, event=event)
        for webhook in Webhook.objects.filter(is_active=True)
        if not webhook.entities or entity in webhook.entities
    )
    return event


def changes(since: int, limit: int) -> list[ChangeEvent]:
    """The events after position ``since``, oldest first."""
    sequence.sequence(ChangeEvent)
    return list(ChangeEvent.objects.filter(seq__gt=since).order_by("seq")[:limit])
