from typing import Any

from zhengtong.platform.access.policy import rule

VIEW = "directory.view"


@rule(VIEW)
def colleagues_may_view(user: Any, obj: Any) -> bool:
    # Everyone signed in sees the directory; issue-level restrictions (hidden departments,
    # leaders' mobiles) narrow this rule rather than adding checks in pages.
    return True
