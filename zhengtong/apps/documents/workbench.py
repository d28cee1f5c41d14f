"""签收 in the workbench: each dispatched copy is a to-do of the recipient unit's registry clerks,
signed for in place (the workbench calls ``services.receive`` with its usual checks)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from zhengtong.apps.documents import services
from zhengtong.apps.documents.models import Delivery, Registry
from zhengtong.apps.workbench.actions import register_action
from zhengtong.apps.workbench.models import Entry
from zhengtong.apps.workbench.services import EntryData, Part, mirror

APP = "documents"
DELIVERY = "documents.delivery"


def _entries(delivery: Delivery) -> list[EntryData]:
    registry = Registry.objects.filter(unit=delivery.unit).first()
    if registry is None:
        return []
    incoming, waiting = delivery.incoming, delivery.state == Delivery.State.SENT
    return [
        EntryData(source_id=f"{delivery.pk}:{clerk.pk}", user_id=clerk.pk, title=incoming.title, link=services.link(incoming),
                  subtitle=str(_("Sign for")), sender_name=incoming.sender_name, classification=incoming.classification,
                  urgency=Entry.Urgency.URGENT if incoming.urgency else Entry.Urgency.NORMAL,
                  tab=Entry.Tab.TODO if waiting else Entry.Tab.DONE, state=Entry.State.OPEN if waiting else Entry.State.CLOSED,
                  created_at=delivery.sent_at, completed_at=delivery.received_at)
        for clerk in registry.clerks.all()
        # Once signed for, the others' entries go; the one who signed keeps it under 已办.
        if waiting or clerk.pk == delivery.received_by_id
    ]


def mirror_deliveries(document_id: int) -> None:
    deliveries = list(Delivery.objects.filter(document_id=document_id).select_related("incoming", "unit"))
    for delivery in deliveries:
        # Whoever had an entry for this delivery (a clerk since removed from the registry too).
        existing = Entry.objects.filter(app=APP, source_kind=DELIVERY, source_id__startswith=f"{delivery.pk}:")
        mirror(app=APP, parts=[Part(DELIVERY, set(existing.values_list("source_id", flat=True)), _entries(delivery))])


def _receive(acting_user: Any, entry: Entry, comment: str) -> None:
    delivery_id = int(entry.source_id.split(":", 1)[0])
    services.receive(acting_user=acting_user, delivery=Delivery.objects.get(pk=delivery_id))


register_action(APP, "receive", _("Sign for"), _receive, batch=True)
