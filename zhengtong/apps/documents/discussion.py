"""公文 as a record other apps build on (the manifest's ``records``): chat's 事务群 asks through it.

A document is described only to a person who may see it; its participants are its drafter and
everyone its process has involved (the holders of its steps, and those they act for), each only
if they may still see it.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.urls import reverse

from zhengtong.apps.documents.models import Document
from zhengtong.apps.documents.rules import VIEW
from zhengtong.platform.access.policy import can
from zhengtong.platform.registry import Record
from zhengtong.platform.workflow.models import WorkItem


def record_for(user: Any, object_id: str) -> Record | None:
    document = Document.objects.filter(pk=int(object_id)).select_related("instance").first() if object_id.isdigit() else None
    if document is None or not can(user, VIEW, document):
        return None
    ids = {document.drafter_id}
    if document.instance_id is not None:
        for assignee, principal in WorkItem.objects.filter(instance_id=document.instance_id).values_list("assignee_id", "principal_id"):
            ids |= {assignee, principal} - {None}
    people = [person for person in get_user_model().objects.filter(pk__in=ids, is_active=True).order_by("pk")
              if can(person, VIEW, document)]
    return Record(title=document.title, url=reverse("documents:detail", args=[document.pk]), participants=tuple(people))
