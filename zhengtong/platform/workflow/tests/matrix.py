"""Permission matrix rows for the workflow (审批): a process exists only for its participants.

The author starts two 通用审批: one waiting for the head's 部门负责人审核 (every action on a work
item is tried on that item), and one the head approved with an attachment and the author
copied to the clerk. The author also delegates their work to the clerk while away. Whoever
takes no part in a process is told it does not exist (404); a participant who may not take an
action is refused it (403) or told why not now (409). Nobody in the world holds
``workflow.manage``: the process administration is refused to all. Lists hold the reader's
own items only, and the counts count those.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.utils import timezone

from zhengtong.testing.matrix import ANY_SIGNED_IN, Row, World, expect, only

STAFF = expect(200, sysadmin=403, secadmin=403, auditor=403)
NOBODY = only()  # workflow.manage: no persona holds it
W = "/workflow"
A = "/api/workflow"
# Who takes part in each process of the world (its title's secret says the same).
PARTICIPANTS = {"pending": ("author", "head"), "approved": ("author", "head", "clerk")}


def build(world: World) -> None:
    from zhengtong.platform.workflow import services
    from zhengtong.platform.workflow.models import Action, WorkItem

    author, head = world.people["author"], world.people["head"]

    def started(key: str, text: str) -> Any:
        title = f"{text}{world.secret(f'process{key}', seen_by=set(PARTICIPANTS[key]))}"
        return services.start(acting_user=author, key="general_approval", title=title, data={"reason": "防汛物资采购", "amount": 12000})

    world.pending = started("pending", "防汛物资采购申请")
    world.pending_item = WorkItem.objects.get(instance=world.pending, assignee=head, state=WorkItem.State.OPEN)
    world.approved = started("approved", "水质检测设备采购申请")
    review = WorkItem.objects.get(instance=world.approved, assignee=head, state=WorkItem.State.OPEN)
    services.approve(acting_user=head, item_id=review.pk, comment="同意",
                     attachment=SimpleUploadedFile("审核意见.txt", "同意采购".encode(), "text/plain"))
    world.approval_attachment = Action.objects.get(instance=world.approved, work_item=review, kind=Action.Kind.APPROVE)
    services.copy(acting_user=author, instance_id=world.approved.pk, usernames=["clerk"], comment="请知悉")
    today = timezone.localdate()
    world.delegation = services.delegate_while_away(acting_user=author, to="clerk", starts_on=today, ends_on=today + dt.timedelta(days=7),
                                                    reason="出差")


def _own(kind: str) -> Any:
    """A list of ``kind`` holds only the reader's own: their items, the processes they started, their copies."""

    def check(world: World, persona: str, response: HttpResponse) -> None:
        from zhengtong.platform.workflow.models import Copy, ProcessInstance, WorkItem

        if response.status_code != 200 or persona == "anonymous":
            return
        user = world.people[persona]
        if response.headers["Content-Type"].startswith("application/json"):
            ids = [item["instance" if kind == "copied" else "id"] for item in response.json()["items"]]
        else:
            ids = [row["object"].instance_id if kind == "copied" else row["object"].pk for row in response.context["rows"]]
        mine = {"todo": WorkItem.objects.filter(assignee=user, state=WorkItem.State.OPEN),
                "done": WorkItem.objects.filter(assignee=user, state=WorkItem.State.DONE),
                "started": ProcessInstance.objects.filter(initiator=user),
                "copied": ProcessInstance.objects.filter(pk__in=Copy.objects.filter(user=user).values("instance_id"))}[kind]
        others = set(ids) - set(mine.values_list("pk", flat=True))
        assert not others, f"{kind} lists {sorted(others)}, not the reader's"
        assert len(ids) == mine.count(), f"{kind} lists {len(ids)} of the reader's {mine.count()}"

    return check


def counted(world: World, persona: str, response: HttpResponse) -> None:
    """The tab counts are the reader's own: open items, running processes started, unread copies."""
    from zhengtong.platform.workflow.models import Copy, ProcessInstance, WorkItem

    if response.status_code != 200:
        return
    user = world.people[persona]
    expected = {"todo": WorkItem.objects.filter(assignee=user, state=WorkItem.State.OPEN).count(),
                "started": ProcessInstance.objects.filter(initiator=user, state=ProcessInstance.State.RUNNING).count(),
                "copied": Copy.objects.filter(user=user, read_at__isnull=True).count()}
    got = {key: response.json()[key] for key in expected}
    assert got == expected, f"counts {got}, should be {expected}"


def _start_form(world: Any) -> dict[str, Any]:
    return {"title": "会议室改造申请", "comment": "", "data-reason": "会议室老化", "data-amount": "3000"}


def _delegation(world: Any) -> dict[str, Any]:
    """A page's form and the API's body alike."""
    today = timezone.localdate()
    return {"to": "office_head", "starts_on": today.isoformat(), "ends_on": (today + dt.timedelta(days=3)).isoformat(), "reason": "休假"}


def _decide_with_file(world: Any) -> dict[str, Any]:
    return {"decision": "approve", "comment": "同意", "attachment": SimpleUploadedFile("意见.txt", "同意".encode(), "text/plain")}


def _upload(world: Any) -> dict[str, Any]:
    return {"key": "leave", "name": "请假", "process_id": "leave", "form_json": "[]",
            "bpmn": SimpleUploadedFile("leave.bpmn", b"<definitions/>", "application/xml")}


def participants(status: Any, *people: str, **others: Any) -> dict[str, Any]:
    """``people`` get ``status``; whoever takes no part in the process is told it does not exist (404)."""
    return expect(404, **{**dict.fromkeys(people, status), **others})


PENDING = PARTICIPANTS["pending"]
ITEM = "{w.pending_item.pk}"
# What the head's 审核 item allows: only the head acts on it; the author, who may see the process, is refused.
HEAD_ACTS_PAGE = participants(302, *PENDING, author=403)
HEAD_ACTS_API = participants(200, *PENDING, author=403)

ROWS = [
    # 待办 and the other tabs: the reader's own, for everyone signed in (an administrator's are empty).
    *(Row("GET", f"{W}/?tab={tab}", ANY_SIGNED_IN, check=_own(tab)) for tab in ("todo", "done", "started", "copied")),
    Row("GET", f"{W}/start/", ANY_SIGNED_IN),
    Row("GET", f"{W}/start/general_approval/", STAFF),
    Row("POST", f"{W}/start/general_approval/", expect(302, outsider=422, sysadmin=403, secadmin=403, auditor=403), data=_start_form),
    Row("GET", f"{W}/instances/{{w.pending.pk}}/", participants(200, *PENDING)),
    Row("GET", f"{W}/instances/{{w.approved.pk}}/", participants(200, *PARTICIPANTS["approved"])),
    # The initiator withdraws while the head has not acted, cancels, reminds; nobody terminates.
    Row("POST", f"{W}/instances/{{w.pending.pk}}/withdraw/", participants(302, "author", head=409), data={"withdraw-comment": "补材料"}),
    Row("POST", f"{W}/instances/{{w.pending.pk}}/cancel/", participants(302, "author", head=403), data={"cancel-comment": "不再需要"}),
    Row("POST", f"{W}/instances/{{w.pending.pk}}/terminate/", participants(403, *PENDING), data={"terminate-comment": "流程有误"}),
    Row("POST", f"{W}/instances/{{w.pending.pk}}/remind/", participants(302, "author", head=403), data={"remind-comment": "请尽快"}),
    Row("POST", f"{W}/instances/{{w.pending.pk}}/copy/", participants(302, *PENDING), data={"copy-people": "clerk", "copy-kind": "cc"}),
    Row("POST", f"{W}/instances/{{w.approved.pk}}/read/", participants(302, *PARTICIPANTS["approved"])),
    # The head's 审核 item.
    Row("POST", f"{W}/items/{ITEM}/decide/", HEAD_ACTS_PAGE, data=_decide_with_file, multipart=True),
    Row("POST", f"{W}/items/{ITEM}/claim/", participants(409, *PENDING, author=403)),
    Row("POST", f"{W}/items/{ITEM}/hand_back/", participants(409, *PENDING, author=403), data={"hand_back-comment": "已阅"}),
    Row("POST", f"{W}/items/{ITEM}/return/", HEAD_ACTS_PAGE,
        data={"return-step": "apply", "return-comment": "请补充"}),
    Row("POST", f"{W}/items/{ITEM}/transfer/", HEAD_ACTS_PAGE, data={"transfer-to": "clerk", "transfer-comment": "请代为审核"}),
    Row("POST", f"{W}/items/{ITEM}/delegate/", HEAD_ACTS_PAGE, data={"delegate-to": "clerk"}),
    Row("POST", f"{W}/items/{ITEM}/reassign/", participants(403, *PENDING), data={"reassign-to": "clerk", "reassign-comment": "调整"}),
    Row("POST", f"{W}/items/{ITEM}/signers/", HEAD_ACTS_PAGE, data={"signers-people": "clerk", "signers-position": "after"}),
    # 减签 removes a signer one added: the head added none.
    Row("POST", f"{W}/items/{ITEM}/remove/", participants(403, *PENDING)),
    Row("GET", f"{W}/attachments/{{w.approval_attachment.pk}}/", participants(200, *PARTICIPANTS["approved"])),
    # Standing delegation (委托): one's own.
    Row("GET", f"{W}/delegations/", ANY_SIGNED_IN),
    Row("POST", f"{W}/delegations/", expect(302), data=_delegation),
    Row("POST", f"{W}/delegations/{{w.delegation.pk}}/revoke/", expect(404, author=302)),
    # Process administration.
    Row("GET", f"{W}/admin/definitions/", NOBODY),
    Row("GET", f"{W}/admin/definitions/upload/", NOBODY),
    Row("POST", f"{W}/admin/definitions/upload/", NOBODY, data=_upload, multipart=True),
    Row("GET", f"{W}/admin/definitions/{{w.pending.definition_id}}/", NOBODY),
    Row("GET", f"{W}/admin/instances/", NOBODY),
    # The API.
    Row("GET", f"{A}/processes", ANY_SIGNED_IN),
    Row("POST", f"{A}/instances", expect(201, outsider=422, sysadmin=403, secadmin=403, auditor=403),
        data={"key": "general_approval", "title": "会议室改造申请", "data": {"reason": "会议室老化", "amount": 3000}}),
    Row("GET", f"{A}/instances/{{w.pending.pk}}", participants(200, *PENDING)),
    Row("GET", f"{A}/instances/{{w.approved.pk}}/trace", participants(200, *PARTICIPANTS["approved"])),
    Row("GET", f"{A}/counts", ANY_SIGNED_IN, check=counted),
    *(Row("GET", f"{A}/{tab}", ANY_SIGNED_IN, check=_own(tab)) for tab in ("todo", "done", "started", "copied")),
    Row("POST", f"{A}/items/{ITEM}/approve", HEAD_ACTS_API, data={"comment": "同意"}),
    Row("POST", f"{A}/items/{ITEM}/reject", HEAD_ACTS_API, data={"comment": "预算不足"}),
    Row("POST", f"{A}/items/{ITEM}/claim", participants(409, *PENDING, author=403)),
    Row("POST", f"{A}/items/{ITEM}/transfer", HEAD_ACTS_API, data={"to": "clerk"}),
    Row("POST", f"{A}/items/{ITEM}/delegate", HEAD_ACTS_API, data={"to": "clerk"}),
    Row("POST", f"{A}/items/{ITEM}/hand-back", participants(409, *PENDING, author=403), data={"comment": "已阅"}),
    Row("POST", f"{A}/items/{ITEM}/signers", HEAD_ACTS_API, data={"people": ["clerk"]}),
    Row("POST", f"{A}/items/{ITEM}/remove", participants(403, *PENDING), data={}),
    Row("GET", f"{A}/items/{ITEM}/return-targets", participants(200, *PENDING)),
    Row("POST", f"{A}/items/{ITEM}/return", HEAD_ACTS_API, data={"step": "apply", "comment": "请补充"}),
    Row("POST", f"{A}/items/{ITEM}/reassign", participants(403, *PENDING), data={"to": "clerk", "comment": "调整"}),
    Row("POST", f"{A}/instances/{{w.pending.pk}}/withdraw", participants(200, "author", head=409), data={"comment": "补材料"}),
    Row("POST", f"{A}/instances/{{w.pending.pk}}/cancel", participants(200, "author", head=403), data={"comment": "不再需要"}),
    Row("POST", f"{A}/instances/{{w.pending.pk}}/terminate", participants(403, *PENDING), data={"comment": "流程有误"}),
    Row("POST", f"{A}/instances/{{w.pending.pk}}/remind", participants(200, "author", head=403), data={"comment": "请尽快"}),
    Row("POST", f"{A}/instances/{{w.pending.pk}}/copies", participants(201, *PENDING), data={"people": ["clerk"]}),
    Row("POST", f"{A}/instances/{{w.approved.pk}}/read", participants(204, *PARTICIPANTS["approved"])),
    Row("GET", f"{A}/delegations", ANY_SIGNED_IN),
    Row("POST", f"{A}/delegations", expect(201), data=_delegation),
    Row("DELETE", f"{A}/delegations/{{w.delegation.pk}}", expect(404, author=204)),
]
