from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from zhengtong.apps.bulletins.models import Bulletin
from zhengtong.apps.bulletins.rules import PUBLISH
from zhengtong.errors import ServiceError
from zhengtong.platform.access.models import ClassificationLevel
from zhengtong.platform.access.policy import clearance_of, require
from zhengtong.platform.audit import services as audit
from zhengtong.platform.directory import queries as directory


def publish(*, acting_user: Any, title: str, body: str, classification: int = 0) -> Bulletin:
    require(acting_user, PUBLISH)
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = [_("A title is required.")]
    if not body.strip():
        errors["body"] = [_("The text is required.")]
    if classification > settings.MAX_CLASSIFICATION or not ClassificationLevel.objects.filter(rank=classification).exists():
        errors["classification"] = [_("This deployment does not hold records at that classification level.")]
    elif classification > clearance_of(acting_user):
        errors["classification"] = [_("You cannot publish above your own clearance.")]
    if errors:
        raise ServiceError("invalid", _("The news item is not valid."), errors)
    with transaction.atomic():
        department = directory.primary_department(acting_user)
        bulletin = Bulletin.objects.create(title=title.strip(), body=body.strip(), author=acting_user, classification=classification,
                                           unit=directory.unit_of(department) if department else None)
        audit.record("bulletins.published", actor=acting_user, obj=bulletin,
                     changes=audit.diff({}, {"title": bulletin.title, "classification": classification}))
    return bulletin
