"""Who may see, edit and administer official documents (registered with ``access``).

The 密级 check comes first and from ``access`` itself: a document above a person's clearance
does not exist for them (404). These rules decide the rest.
"""

from __future__ import annotations

from typing import Any

from zhengtong.apps.documents.models import Document, Registry
from zhengtong.platform.access import permissions as perms
from zhengtong.platform.access.policy import can, permissions_of
from zhengtong.platform.workflow.models import WorkItem
from zhengtong.platform.workflow.rules import VIEW as VIEW_PROCESS

VIEW = "documents.view"
EDIT = "documents.edit"
DRAFT = "documents.draft"
REGISTRY = "documents.registry"
# Configuring the app (机关代字, registries) is the system administrator's (应用管理); it grants no reading.
MANAGE = perms.MANAGE_APPS
# Steps at which the people holding the document may still change its text (before 签发).
EDITING_STEPS = ("draft", "review", "countersign", "sign_off")


def is_clerk(user: Any, unit_id: int | None) -> bool:
    return unit_id is not None and Registry.objects.filter(unit_id=unit_id, clerks=user).exists()


def staff_may_draft(user: Any, obj: Any) -> bool:
    return perms.USE_BUSINESS_APPS in permissions_of(user)


def clerks_keep_their_registry(user: Any, unit: Any) -> bool:
    return unit is not None and is_clerk(user, unit.pk)


def involved_may_view(user: Any, document: Document) -> bool:
    """The drafter, the unit's registry, and everyone its process involved (including 传阅 readers)."""
    drafted = document.direction == Document.Direction.OUTGOING and document.drafter_id == user.pk
    if drafted or is_clerk(user, document.unit_id):
        return True
    return document.instance is not None and can(user, VIEW_PROCESS, document.instance)


def holders_may_edit_before_sign_off(user: Any, document: Document) -> bool:
    if not document.is_editable:
        return False
    if document.state == Document.State.DRAFT:
        return document.drafter_id == user.pk
    return WorkItem.objects.filter(instance_id=document.instance_id, assignee=user, state=WorkItem.State.OPEN,
                                   step_id__in=EDITING_STEPS).exists()


RULES = {DRAFT: staff_may_draft, REGISTRY: clerks_keep_their_registry, VIEW: involved_may_view, EDIT: holders_may_edit_before_sign_off}
