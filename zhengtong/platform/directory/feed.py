"""The change feed: every change to the organisation becomes a ``ChangeEvent`` row.

Written by the services in the same transaction as the change (an outbox), together with
one pending ``WebhookDelivery`` per interested webhook, so a change is never announced
without having happened nor lost after it happened.

Readers follow the feed by id (``since=<last id seen>``), so ids must become visible in id
order: a reader at cursor N must never later find an event below N. Each writer therefore
takes the audit chain's head-row lock before it allocates an event id and holds it until it
commits (``audit.record``, which every service calls, takes the same lock in the same
transaction). Writers of events thus allocate and commit their ids one at a time on
PostgreSQL and MariaDB; SQLite has a single writer anyway.
"""

from __future__ import annotations

from typing import Any

from zhengtong.platform.audit import services as audit
from zhengtong.platform.directory.models import ChangeEvent, Webhook, WebhookDelivery


def emit(entity: str, entity_id: Any, action: str, data: dict[str, Any], external_id: str | None = "") -> ChangeEvent:
    audit.hold_chain_lock()
    event = ChangeEvent.objects.create(entity=entity, entity_id=str(entity_id), external_id=external_id or "", action=action, data=data)
    WebhookDelivery.objects.bulk_create(
        WebhookDelivery(webhook=webhook, event=event)
        for webhook in Webhook.objects.filter(is_active=True)
        if not webhook.entities or entity in webhook.entities
    )
    return event
