from typing import Any

from zhengtong.platform.access import permissions as perms
from zhengtong.platform.access.policy import permissions_of

VIEW = "bulletins.view"
PUBLISH = "bulletins.publish"


def staff_may_view(user: Any, bulletin: Any) -> bool:
    return perms.USE_BUSINESS_APPS in permissions_of(user)


def staff_may_publish(user: Any, bulletin: Any) -> bool:
    return perms.USE_BUSINESS_APPS in permissions_of(user)


RULES = {VIEW: staff_may_view, PUBLISH: staff_may_publish}
