"""Permission matrix rows for notices: a notice is its recipients' and its sender's, nobody else's.

The office's 文书 (the registrar) broadcasts to 水资源处 (clerk, head and author receive it);
the outsider and the three administrators are neither.
"""

import json
from typing import Any

from django.http import HttpResponse

from zhengtong.testing.matrix import ACCEPTED, ANY_SIGNED_IN, Row, SocketRow, World, answered, content_of, expect, only

RECIPIENTS = ("clerk", "head", "author")
TO_RECIPIENTS = expect(404, **dict.fromkeys(RECIPIENTS, 302))
TO_RECIPIENTS_API = expect(404, **dict.fromkeys(RECIPIENTS, 200))
TO_SENDER = expect(404, registrar=302)
TO_SENDER_API = expect(404, registrar=200)


def build(world: World) -> None:
    from zhengtong.platform.access.models import Role
    from zhengtong.platform.access.services import assign_role
    from zhengtong.platform.notices import categories, services
    from zhengtong.platform.notices.permissions import BROADCAST

    issuer = Role.objects.create(code="notice_issuer", name="通知发布人", permissions=[BROADCAST])
    assign_role(acting_user=None, user=world.people["registrar"], role=issuer)
    title = world.secret("notice", seen_by={"registrar", *RECIPIENTS})
    world.notice = services.broadcast(acting_user=world.people["registrar"], to=[f"dept:{world.water.pk}"],
                                      title=f"{title} 关于汛期值班的通知", category=categories.SYSTEM)


@answered
def _listed_to_recipients(world: Any, persona: str, response: HttpResponse) -> None:
    ids = [item["id"] for item in json.loads(content_of(response))["items"]]
    assert (world.notice.pk in ids) == (persona in RECIPIENTS), f"the notice listed: {world.notice.pk in ids}"


@answered
def _counted_for_recipients_only(world: Any, persona: str, response: HttpResponse) -> None:
    total = json.loads(content_of(response))["total"]
    assert total == (1 if persona in RECIPIENTS else 0), f"unread total {total}"


@answered
def _sent_list_is_the_senders(world: Any, persona: str, response: HttpResponse) -> None:
    shown = world.notice.title in content_of(response)
    assert shown == (persona == "registrar"), f"the notice shown among sent: {shown}"


def _compose(world: Any) -> dict[str, str]:
    return {"to": f"dept:{world.water.pk}", "title": "防汛物资清点通知", "category": "system", "priority": "normal"}


def _send(world: Any) -> dict[str, Any]:
    return {"to": [f"dept:{world.water.pk}"], "title": "防汛物资清点通知"}


ROWS = [
    Row("POST", "/notices/{w.notice.pk}/open/", TO_RECIPIENTS),
    # No quick action on this notice: the recipient is told so; to anyone else it does not exist.
    Row("POST", "/notices/{w.notice.pk}/actions/approve/", TO_RECIPIENTS),
    Row("POST", "/notices/read-all/", expect(302)),
    Row("GET", "/notices/sent/", ANY_SIGNED_IN, check=_sent_list_is_the_senders),
    Row("GET", "/notices/sent/{w.notice.pk}/", expect(404, registrar=200)),
    Row("POST", "/notices/sent/{w.notice.pk}/remind/", TO_SENDER),
    Row("POST", "/notices/sent/{w.notice.pk}/recall/", TO_SENDER),
    Row("GET", "/notices/compose/", only("registrar")),
    Row("POST", "/notices/compose/", only("registrar", status=302), data=_compose),
    Row("GET", "/notices/preferences/", ANY_SIGNED_IN),
    Row("POST", "/notices/preferences/", expect(302), data={"quiet_from": "22:00", "quiet_until": "07:00"}),
    Row("GET", "/notices/audit/", only("auditor"), sees_every_name=frozenset({"auditor"})),
    Row("GET", "/api/notices/", ANY_SIGNED_IN, check=_listed_to_recipients),
    Row("POST", "/api/notices/", only("registrar", status=201), data=_send),
    Row("GET", "/api/notices/counts", ANY_SIGNED_IN, check=_counted_for_recipients_only),
    Row("POST", "/api/notices/read-all", ANY_SIGNED_IN, data={}),
    Row("GET", "/api/notices/preferences", ANY_SIGNED_IN),
    Row("PUT", "/api/notices/preferences", ANY_SIGNED_IN, data={"quiet_from": "22:00", "quiet_until": "07:00", "muted_categories": []}),
    Row("GET", "/api/notices/audit", only("auditor"), sees_every_name=frozenset({"auditor"})),
    Row("POST", "/api/notices/{w.notice.pk}/read", TO_RECIPIENTS_API),
    Row("GET", "/api/notices/{w.notice.pk}/receipts", TO_SENDER_API),
    Row("POST", "/api/notices/{w.notice.pk}/remind", TO_SENDER_API),
    Row("POST", "/api/notices/{w.notice.pk}/recall", TO_SENDER_API),
    Row("POST", "/api/notices/{w.notice.pk}/actions/approve", expect(404, **dict.fromkeys(RECIPIENTS, 422)), data={"comment": ""}),
    Row("GET", "/api/events", ANY_SIGNED_IN),
    Row("GET", "/api/events/badges", ANY_SIGNED_IN),
]

# Every signed-in tab holds the one live connection; each is greeted as its own person.
SOCKETS = [SocketRow("/ws/events/", expect(ACCEPTED))]
