from typing import Any

import pytest

from zhengtong.apps.chat import services
from zhengtong.apps.chat.models import Conversation


def staff(username: str, name: str) -> Any:
    from zhengtong.platform.access.models import Role
    from zhengtong.platform.access.services import assign_role
    from zhengtong.platform.accounts.services import create_user

    user = create_user(acting_user=None, username=username, display_name=name, password="Zt-Chat-Test-2026!", clearance=1,
                       must_change_password=False)
    assign_role(acting_user=None, user=user, role=Role.objects.get(code="staff"))
    return user


@pytest.fixture
def people(db: Any) -> dict[str, Any]:
    """Four colleagues: 张三 will own the group, 李四 and 王五 are in it, 赵六 is not."""
    return {key: staff(key, name) for key, name in (("zhang", "张三"), ("li", "李四"), ("wang", "王五"), ("zhao", "赵六"))}


@pytest.fixture
def group(people: dict[str, Any]) -> Conversation:
    return services.create_group(acting_user=people["zhang"], title="防汛工作群", member_ids=[people["li"].pk, people["wang"].pk])


counter = iter(range(1, 10**9))


def say(user: Any, conversation: Conversation, text: str, **kwargs: Any) -> Any:
    return services.send(acting_user=user, conversation_id=conversation.pk, client_msg_id=f"c{next(counter)}", text=text, **kwargs)
