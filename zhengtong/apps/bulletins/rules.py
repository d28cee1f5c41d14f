from typing import Any

from zhengtong.platform.access import permissions as perms
from zhengtong.platform.access.policy import permissions_of, rule

VIEW = "bulletins.view"
PUBLISH = "bulletins.publish"


@rule(VIEW)
def staff_may_view(user: Any, bulletin: Any) -> bool:
    return perms.USE_BUSINESS_APPS in permissions_of(user)


@rule(PUBLISH)
def staff_may_publish(user: Any, bulletin: Any) -> bool:
    return perms.USE_BUSINESS_APPS in permissions_of(user)
