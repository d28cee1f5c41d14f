"""签收 in the to-do list: each dispatched copy is a to-do of the recipient unit's registry clerks,
signed for in place (the list runs ``receive``, which calls ``services.receive`` with its checks)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from zhengtong.apps.documents import services
from zhengtong.apps.documents.models import Delivery
from zhengtong.errors import NotFound
from zhengtong.platform.todo import services as todo
from zhengtong.platform.todo.models import Entry

APP = "documents"
DELIVERY = "documents.delivery"


def _todos(delivery: Delivery) -> list[todo.Todo]:
    incoming, waiting = delivery.incoming, delivery.state == Delivery.State.SENT
    return [
        todo.Todo(user_id=clerk.pk, title=incoming.title, link=services.link(incoming), subtitle=_("Sign for"),
                  sender_name=incoming.sender_name, classification=incoming.classification,
                  urgency=Entry.Urgency.URGENT if incoming.urgency else Entry.Urgency.NORMAL,
                  tab=Entry.Tab.TODO if waiting else Entry.Tab.DONE, state=Entry.State.OPEN if waiting else Entry.State.CLOSED,
                  actions=("receive",) if waiting else (), created_at=delivery.sent_at, completed_at=delivery.received_at)
        for clerk in services.clerks_of(delivery.unit)
        # Once signed for, the others' entries go; the one who signed keeps it under 已办.
        if waiting or clerk.pk == delivery.received_by_id
    ]


def put_deliveries(document_id: int) -> None:
    for delivery in Delivery.objects.filter(document_id=document_id).select_related("incoming", "unit"):
        todo.put(DELIVERY, delivery.pk, _todos(delivery), app=APP)


def receive(acting_user: Any, object_id: str, comment: str) -> str:
    delivery = Delivery.objects.filter(pk=int(object_id)).first() if object_id.isdigit() else None
    if delivery is None:
        raise NotFound("not_found", _("Not found."))
    services.receive(acting_user=acting_user, delivery=delivery)
    return _("Signed for.")
