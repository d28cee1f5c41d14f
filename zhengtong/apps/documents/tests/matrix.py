"""Permission matrix rows for official documents (公文): each document exists only for those it involves.

The world holds the author's 发文 at four stages — a draft, one awaiting the head's 核稿, one
awaiting the registry's 登记, one dispatched to 东区水务局 — the copy of that one waiting for
东区's registry (the outsider) to sign for it, a paper document the registrar entered by hand
now waiting for 张局长's 批办, and a draft of the outsider's own unit. Who may see each is
the drafter, the unit's registry and whoever its process involved; nobody else learns it exists
(404), and the three administrators hold no business role (403 where the app itself is refused).
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse

from zhengtong.testing.matrix import Row, World, expect, known_only_to

ADMINS = ("sysadmin", "secadmin", "auditor")
STAFF = expect(200, sysadmin=403, secadmin=403, auditor=403)
STAFF_DONE = expect(302, sysadmin=403, secadmin=403, auditor=403)
D = "/apps/documents"
A = "/api/documents"


# Who may see each document of the world (its title's secret says the same).
SEES = {
    "draft": ("author", "registrar"),
    "reviewing": ("author", "head", "registrar"),
    "registering": ("author", "head", "registrar"),
    # The dispatched copy of 东区水务局 carries the same title: its registry (the outsider) reads that.
    "issued": ("author", "head", "registrar"),
    "delivered": ("outsider",),
    "incoming": ("registrar",),
    "east_draft": ("outsider",),
}
TITLE_SEEN_BY = {**SEES, "issued": (*SEES["issued"], "outsider")}
OUTGOING = ("draft", "reviewing", "registering", "issued", "east_draft")
INCOMING = ("delivered", "incoming")


def build(world: World) -> None:
    from zhengtong.apps.documents import services
    from zhengtong.apps.documents.models import Delivery, Document
    from zhengtong.platform.workflow.models import WorkItem

    people = world.people
    director = world.others["director"]
    sysadmin = people["sysadmin"]
    services.add_issuer_code(acting_user=sysadmin, unit=world.city, code="市水发", description="局发文")
    services.set_registry(acting_user=sysadmin, unit=world.city, clerks=[people["registrar"]], office_name="市水务局办公室")
    services.set_registry(acting_user=sysadmin, unit=world.east, clerks=[people["outsider"]], office_name="东区水务局办公室",
                          incoming_code="收")

    def title(key: str, text: str) -> str:
        return f"{text}{world.secret(f'doc{key}', seen_by=set(TITLE_SEEN_BY[key]))}"

    def draft(key: str, text: str) -> Document:
        return services.create_draft(acting_user=people["author"], doc_type="通知", title=title(key, text), issuer_code="市水发",
                                     body="现将有关事项通知如下：\n一、提高认识", main_recipients=[world.east.pk])

    def holder(document: Document, user: Any) -> WorkItem:
        document.refresh_from_db()
        return WorkItem.objects.get(instance_id=document.instance_id, assignee=user, state=WorkItem.State.OPEN)

    def step(document: Document, user: Any, **data: Any) -> None:
        services.decide(acting_user=user, document=document, item_id=holder(document, user).pk, approve=True, comment="同意",
                        data=data or None)

    def submitted(key: str, text: str) -> Document:
        document = draft(key, text)
        return services.submit(acting_user=people["author"], document=document, signer=director.username)

    world.draft = draft("draft", "关于做好防汛工作的通知")
    services.edit(acting_user=people["author"], document=world.draft, changes={"body": "现将有关事项通知如下：\n一、落实责任"},
                  note="改正文")
    world.draft_attachment = services.add_attachment(
        acting_user=people["author"], document=world.draft, upload=SimpleUploadedFile("说明.txt", "防汛说明".encode(), "text/plain"))
    world.reviewing = submitted("reviewing", "关于开展节水检查的通知")
    world.review_item = holder(world.reviewing, people["head"])
    world.registering = submitted("registering", "关于水资源论证的通知")
    step(world.registering, people["head"])
    step(world.registering, director)
    step(world.registering, people["registrar"])  # 复核; 登记 is next
    world.issued = submitted("issued", "关于取水许可的通知")
    step(world.issued, people["head"])
    step(world.issued, director)
    for _step in ("recheck", "register", "print", "dispatch"):
        step(world.issued, people["registrar"])
    world.issued.refresh_from_db()
    world.delivered = Delivery.objects.get(document=world.issued, unit=world.east).incoming
    world.incoming = services.register_by_hand(acting_user=people["registrar"], doc_type="函", title=title("incoming", "省厅来函"),
                                               sender_name="省水利厅", number="水函〔2026〕8号")
    step(world.incoming, people["registrar"])  # 登记
    step(world.incoming, people["registrar"])  # 初审
    step(world.incoming, people["registrar"], instructor=[director.username])  # 拟办: 张局长 instructs
    world.instruct_item = holder(world.incoming, director)
    world.east_draft = services.create_draft(acting_user=people["outsider"], doc_type="通知", title=title("east_draft", "东区防汛通知"))


def _documents_of(world: World, keys: tuple[str, ...]) -> dict[int, str]:
    return {getattr(world, key).pk: key for key in keys}


def listed(keys: tuple[str, ...], ids_of: Any) -> Any:
    """A list shows the reader every one of ``keys`` they may see and none other, and counts only those."""

    def check(world: World, persona: str, response: HttpResponse) -> None:
        if persona in ADMINS or response.status_code != 200:
            return
        ours = _documents_of(world, keys)
        shown, count = ids_of(response)
        expected = {key for key in keys if persona in SEES[key]}
        got = {ours[pk] for pk in shown if pk in ours}
        assert got == expected, f"listed {sorted(got)}, should list {sorted(expected)}"
        assert count is None or count == len(shown), f"counted {count}, listed {len(shown)}"

    return check


def _page_ids(response: HttpResponse) -> tuple[list[int], int | None]:
    page = response.context["page"]
    return [document.pk for document in page.object_list], page.paginator.count


def _api_ids(response: HttpResponse) -> tuple[list[int], int | None]:
    return [item["id"] for item in response.json()["items"]], None


def awaiting_signature(world: World, persona: str, response: HttpResponse) -> None:
    """The 待签收 count is of the reader's own registries: only 东区's (the outsider) has one."""
    if response.status_code == 200:
        awaiting = response.context["awaiting"]
        assert awaiting == (1 if persona == "outsider" else 0), f"{awaiting} awaiting signature shown"


def supervised(world: World, persona: str, response: HttpResponse) -> None:
    """督办 counts only the reader's own registries' incoming documents."""
    if response.status_code == 200:
        by_state = response.context["board"]["by_state"]
        expected = {"registrar": 1, "outsider": 1}.get(persona, 0)
        assert sum(by_state.values()) == expected, f"督办 counts {by_state}"


def _both_lists(keys: tuple[str, ...]) -> Any:
    page_check = listed(keys, _page_ids)

    def check(world: World, persona: str, response: HttpResponse) -> None:
        page_check(world, persona, response)
        awaiting_signature(world, persona, response)

    return check


def _new_document(world: Any) -> dict[str, Any]:
    return {"doc_type": "通知", "title": "关于节约用水的通知", "body": "请各单位节约用水。"}


def _register_form(world: Any) -> dict[str, Any]:
    return {"doc_type": "函", "title": "市政府来函", "sender_name": "市政府办公厅", "number": "市府函〔2026〕3号", "urgency": "",
            "classification": 0}


def _upload(world: Any) -> dict[str, Any]:
    return {"file": SimpleUploadedFile("补充说明.txt", "补充".encode(), "text/plain")}


def _submit_form(world: Any) -> dict[str, Any]:
    return {"signer": world.others["director"].username, "comment": "请审核"}


def _decide_review(world: Any) -> dict[str, Any]:
    return {"item_id": world.review_item.pk, "approve": True, "comment": "同意"}


def _instruct(world: Any) -> dict[str, Any]:
    return {"item_id": world.instruct_item.pk, "text": "请水资源处办理", "handling_departments": [world.water.pk],
            "lead_department": world.water.pk}


VIEW_OF = {key: known_only_to(200, *people) for key, people in SEES.items()}
OWNERS = ("author", "registrar")  # the drafter and the unit's registry answer for an outgoing document
# 传阅 is for those in its process; the registry reading it before its steps reach them is not (yet).
CIRCULATE_PAGE = known_only_to(302, "author", "head", registrar=403)
CIRCULATE_API = known_only_to(200, "author", "head", registrar=403)

ROWS = [
    # Lists: what the reader may see, counted honestly; the app is refused to the administrators.
    Row("GET", f"{D}/", STAFF, check=_both_lists(OUTGOING)),
    Row("GET", f"{D}/?q=通知", STAFF, check=listed(OUTGOING, _page_ids)),
    Row("GET", f"{D}/incoming/", STAFF, check=_both_lists(INCOMING)),
    Row("GET", f"{D}/new/", STAFF),
    Row("POST", f"{D}/new/", STAFF_DONE, data=_new_document),
    # Registering a paper document is the registry's: 市水务局's (registrar) and 东区's (outsider).
    Row("GET", f"{D}/register/", STAFF),
    Row("POST", f"{D}/register/", expect(403, registrar=302, outsider=302), data=_register_form),
    Row("GET", f"{D}/supervision/", STAFF, check=supervised),
    # One document: only those it involves know it exists.
    *(Row("GET", f"{D}/{{w.{key}.pk}}/", VIEW_OF[key]) for key in SEES),
    # Deciding on the detail page: the head holds 核稿; others who may read it see the page again.
    Row("POST", f"{D}/{{w.reviewing.pk}}/", known_only_to(200, *SEES["reviewing"], head=302),
        data={"decision": "approve", "comment": "同意"}),
    Row("GET", f"{D}/{{w.draft.pk}}/edit/", known_only_to(403, *SEES["draft"], author=200)),
    Row("POST", f"{D}/{{w.draft.pk}}/edit/", known_only_to(403, *SEES["draft"], author=302),
        data={"doc_type": "通知", "title": "关于做好防汛工作的通知（修改）", "body": "正文", "issuer_code": "市水发"}),
    Row("GET", f"{D}/{{w.reviewing.pk}}/edit/", known_only_to(403, *SEES["reviewing"], head=200)),
    Row("GET", f"{D}/{{w.draft.pk}}/submit/", known_only_to(403, *SEES["draft"], author=200)),
    Row("POST", f"{D}/{{w.draft.pk}}/submit/", known_only_to(403, *SEES["draft"], author=302), data=_submit_form),
    Row("POST", f"{D}/{{w.delivered.pk}}/receive/", known_only_to(302, "outsider")),
    Row("POST", f"{D}/{{w.issued.pk}}/remind/", known_only_to(302, *OWNERS, head=403)),
    Row("POST", f"{D}/{{w.reviewing.pk}}/circulate/", CIRCULATE_PAGE, data={"people": "clerk", "comment": "请阅"}),
    Row("POST", f"{D}/{{w.draft.pk}}/cancel/", known_only_to(302, *OWNERS), data={"reason": "不再需要"}),
    # Refused for its state, a button's action shows the document again with the refusal's status.
    Row("POST", f"{D}/{{w.issued.pk}}/cancel/", known_only_to(409, *OWNERS, head=403), data={"reason": "不再需要"}),
    # Attaching changes the document: its holders before 签发, like its text.
    Row("POST", f"{D}/{{w.draft.pk}}/attachments/", known_only_to(403, *SEES["draft"], author=302), data=_upload, multipart=True),
    Row("POST", f"{A}/{{w.draft.pk}}/attachments", known_only_to(403, *SEES["draft"], author=201), data=_upload, multipart=True),
    Row("GET", f"{D}/{{w.draft.pk}}/attachments/{{w.draft_attachment.pk}}/", VIEW_OF["draft"]),
    Row("GET", f"{D}/{{w.draft.pk}}/versions/", VIEW_OF["draft"]),
    Row("GET", f"{D}/{{w.issued.pk}}/print.docx", VIEW_OF["issued"]),
    Row("GET", f"{D}/{{w.issued.pk}}/print.exe", expect(404)),  # no such format, for anyone
    # The API: the same rules through the same services.
    Row("GET", f"{A}/", STAFF, check=listed(OUTGOING, _api_ids)),
    Row("GET", f"{A}/?q=通知", STAFF, check=listed(OUTGOING, _api_ids)),
    Row("GET", f"{A}/?direction=in", STAFF, check=listed(INCOMING, _api_ids)),
    Row("POST", f"{A}/", expect(201, sysadmin=403, secadmin=403, auditor=403), data=_new_document),
    *(Row("GET", f"{A}/{{w.{key}.pk}}", VIEW_OF[key]) for key in SEES),
    Row("PATCH", f"{A}/{{w.draft.pk}}", known_only_to(403, *SEES["draft"], author=200), data={"changes": {"title": "关于防汛的通知"}}),
    Row("POST", f"{A}/{{w.draft.pk}}/submit", known_only_to(403, *SEES["draft"], author=200), data=_submit_form),
    Row("POST", f"{A}/{{w.reviewing.pk}}/decide", known_only_to(403, *SEES["reviewing"], head=200), data=_decide_review),
    # 批办 is 张局长's: the registry that proposed it may read it but not instruct.
    Row("POST", f"{A}/{{w.incoming.pk}}/instruct", known_only_to(403, *SEES["incoming"]), data=_instruct),
    Row("POST", f"{A}/{{w.delivered.pk}}/receive", known_only_to(200, "outsider")),
    Row("POST", f"{A}/{{w.issued.pk}}/remind", known_only_to(200, *OWNERS, head=403)),
    Row("POST", f"{A}/{{w.reviewing.pk}}/circulate", CIRCULATE_API, data={"usernames": ["clerk"]}),
    Row("POST", f"{A}/{{w.draft.pk}}/cancel", known_only_to(200, *OWNERS), data={"reason": "不再需要"}),
    Row("GET", f"{A}/{{w.draft.pk}}/compare?a=1&b=2", VIEW_OF["draft"]),
    Row("GET", f"{A}/{{w.issued.pk}}/print.docx", VIEW_OF["issued"]),
]
