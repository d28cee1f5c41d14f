"""签收 in the workbench: each dispatched copy is a to-do of the recipient unit's registry clerks,
signed for in place (the workbench calls ``services.receive`` with its usual checks)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from zhengtong.apps.documents import services
from zhengtong.apps.documents.models import Delivery
from zhengtong.apps.workbench.actions import register_action
from zhengtong.apps.workbench.models import Entry
from zhengtong.apps.workbench.services import EntryData, Part, mirror

APP = "documents"
DELIVERY = "documents.delivery"


def _entries(delivery: Delivery) -> list[EntryData]:
    incoming, waiting = delivery.incoming, delivery.state == Delivery.State.SENT
    return [
        EntryData(source_id=f"{delivery.pk}:{clerk.pk}", user_id=clerk.pk, title=incoming.title, link=services.link(incoming),
                  subtitle=str(_("Sign for")), sender_name=incoming.sender_name, classification=incoming.classification,
                  urgency=Entry.Urgency.URGENT if incoming.urgency else Entry.Urgency.NORMAL,
                  tab=Entry.Tab.TODO if waiting else Entry.Tab.DONE, state=Entry.State.OPEN if waiting else Entry.State.CLOSED,
                  created_at=delivery.sent_at, completed_at=delivery.received_at)
        for clerk in services.clerks_of(delivery.unit)
        # Once signed for, the others' entries go; the one who signed keeps it under 已办.
        if waiting or clerk.pk == delivery.received_by_id
    ]


def mirror_deliveries(document_id: int) -> None:
    deliveries = list(Delivery.objects.filter(document_id=document_id).select_related("incoming", "unit"))
    # Every entry of a delivery is in scope, a clerk's since removed from the registry too.
    mirror(app=APP, parts=[Part(DELIVERY, set(), _entries(delivery), scope_prefix=f"{delivery.pk}:") for delivery in deliveries])


def receive(acting_user: Any, object_id: str, comment: str) -> None:
    services.receive(acting_user=acting_user, delivery=Delivery.objects.get(pk=int(object_id)))


def _receive(acting_user: Any, entry: Entry, comment: str) -> None:
    receive(acting_user, entry.source_id.split(":", 1)[0], comment)


register_action(APP, "receive", _("Sign for"), _receive, batch=True)
