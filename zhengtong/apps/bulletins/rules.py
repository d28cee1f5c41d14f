"""Who reads and publishes work news: staff, each reading their own unit's news up to their clearance."""

from typing import Any

from django.db.models import Q, QuerySet

from zhengtong.platform.access import permissions as perms
from zhengtong.platform.access.policy import permissions_of, visible
from zhengtong.platform.directory import queries as directory

VIEW = "bulletins.view"
PUBLISH = "bulletins.publish"


def units_of(user: Any) -> set[int]:
    """The units a person works in (一人多职: all of them)."""
    return {directory.unit_of(department).pk for department in directory.departments_of(user)}


def staff_may_view(user: Any, bulletin: Any) -> bool:
    """A unit's news is its own staff's; an item of no unit (its author belonged to none) is everyone's."""
    if perms.USE_BUSINESS_APPS not in permissions_of(user):
        return False
    return bulletin.unit_id is None or bulletin.unit_id in units_of(user)


def staff_may_publish(user: Any, bulletin: Any) -> bool:
    return perms.USE_BUSINESS_APPS in permissions_of(user)


def readable(user: Any, bulletins: QuerySet[Any]) -> QuerySet[Any]:
    """The items of ``bulletins`` that ``user`` may read: within their clearance and of their units."""
    return visible(user, bulletins).filter(Q(unit__isnull=True) | Q(unit_id__in=units_of(user)))


RULES = {VIEW: staff_may_view, PUBLISH: staff_may_publish}
