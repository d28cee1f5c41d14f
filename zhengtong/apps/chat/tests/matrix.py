"""Permission matrix rows for chat (即时通讯): a conversation is its members' alone.

The author owns a group with the clerk and the head (its title and its one message carry secrets
only they may see) and talks 1:1 with the clerk. Nobody else learns either exists (404); among
the members, only the owner manages members, only the sender recalls a message or sees who read
it; the three administrators hold no business role and cannot use chat.
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.utils import timezone

from zhengtong.testing.matrix import IN, Row, World, answered, expect, known_only_to, only

STAFF = expect(200, sysadmin=403, secadmin=403, auditor=403)
MEMBERS = ("author", "clerk", "head")


def build(world: World) -> None:
    from zhengtong.apps.chat import services
    from zhengtong.apps.chat.models import Message

    people = world.people
    title = world.secret("chatgroup", seen_by=set(MEMBERS))
    world.chat_group = services.create_group(acting_user=people["author"], title=f"防汛工作群{title}",
                                             member_ids=[people["clerk"].pk, people["head"].pk])
    text = world.secret("chatmessage", seen_by=set(MEMBERS))
    world.chat_message = services.send(acting_user=people["author"], conversation_id=world.chat_group.pk, client_msg_id="matrix-1",
                                       text=f"今晚加强值守{text}")
    # Sent an hour ago, so its recall window has passed whenever the row runs (the window is tested in the app).
    Message.objects.filter(pk=world.chat_message.pk).update(created_at=timezone.now() - timezone.timedelta(hours=1))
    world.chat_file = services.send_file(acting_user=people["author"], conversation_id=world.chat_group.pk, client_msg_id="matrix-f",
                                         upload=SimpleUploadedFile("值班表.txt", "值班安排".encode(), "text/plain"))
    _build_features(world)
    world.chat_direct = services.open_direct(acting_user=people["author"], other_id=people["clerk"].pk)
    # Muted, so the clerk's message center stays as the notices rows expect it (no chat notice).
    services.set_muted(acting_user=people["clerk"], conversation_id=world.chat_direct.pk, muted=True)
    services.send(acting_user=people["author"], conversation_id=world.chat_direct.pk, client_msg_id="matrix-2", text="材料已发你")
    _build_groups(world)


def _build_groups(world: World) -> None:
    """An integrated system allowed to post in chat, that the author may add to the group; a department group."""
    from zhengtong.apps.chat import departments
    from zhengtong.platform.todo import services as todo

    # The other unit's office has its group on, for the rows that turn one off.
    world.chat_department_group = departments.enable(acting_user=None, department_id=world.east_office.pk)
    world.chat_system, _token = todo.create_system(acting_user=world.people["sysadmin"], name="水情监测系统", code="matrix-chat",
                                                   base_url="https://sq.example.gov.cn/", scopes=["chat"])


def _build_features(world: World) -> None:
    """An image (its thumbnail made when sent) in the group, for the message-feature rows."""
    import io

    from PIL import Image

    from zhengtong.apps.chat import services

    picture = io.BytesIO()
    Image.new("RGB", (640, 480), (20, 90, 160)).save(picture, "PNG")
    upload = SimpleUploadedFile("水位图.png", picture.getvalue(), "image/png")
    world.chat_image = services.send_file(acting_user=world.people["author"], conversation_id=world.chat_group.pk,
                                          client_msg_id="matrix-img", upload=upload)


def _voice(world: World) -> dict[str, Any]:
    from zhengtong.platform.files.tests.audio import WEBM

    return {"file": SimpleUploadedFile("语音.webm", WEBM, "audio/webm"), "client_msg_id": "matrix-voice", "duration_ms": 3000}


def _listed(ids_of: Any) -> Any:
    @answered
    def check(world: World, persona: str, response: HttpResponse) -> None:
        ours = {world.chat_group.pk: "group", world.chat_direct.pk: "direct"}
        got = {ours[pk] for pk in ids_of(response) if pk in ours}
        expected = {"group"} if persona in MEMBERS else set()
        if persona in ("author", "clerk"):
            expected.add("direct")
        assert got == expected, f"listed {sorted(got)}, should list {sorted(expected)}"

    return check


def _page_ids(response: HttpResponse) -> list[int]:
    return [item["conversation"].pk for item in response.context["items"]]


def _api_ids(response: HttpResponse) -> list[int]:
    return [item["id"] for item in response.json()["items"]]


def _upload(world: World) -> dict[str, Any]:
    return {"file": SimpleUploadedFile("现场记录.txt", "水位正常".encode(), "text/plain"), "client_msg_id": "matrix-upload"}


def _recall(world: World) -> dict[str, Any]:
    # The sender is told the two minutes are over; the other members are refused; nobody else knows it.
    return known_only_to(422, "author", clerk=403, head=403)


def _found(ids_of: Any) -> Any:
    """A search for 值守 finds the group's message for its members, nothing for anyone else."""

    @answered
    def check(world: World, persona: str, response: HttpResponse) -> None:
        found = world.chat_message.pk in ids_of(response)
        assert found == (persona in MEMBERS), f"found the group's message: {found}"

    return check


def _audited(ids_of: Any) -> Any:
    @answered
    def check(world: World, persona: str, response: HttpResponse) -> None:
        assert world.chat_message.pk in ids_of(response), "the message audit lists the group's message"

    return check


GROUP = "{w.chat_group.pk}"
FILLER = "{w.others[filler].pk}"
MEMBER_ONLY = known_only_to(200, *MEMBERS)
OWNER_ONLY = known_only_to(200, "author", clerk=403, head=403)

ROWS = [
    Row("GET", "/apps/chat/", STAFF, check=_listed(_page_ids)),
    Row("GET", "/apps/chat/new/", STAFF),
    Row("POST", "/apps/chat/new/", expect(302, sysadmin=403, secadmin=403, auditor=403),
        data=lambda w: {"title": "临时工作群", "members": [w.others["filler"].pk]}),
    Row("POST", f"/apps/chat/direct/{FILLER}/", expect(302, sysadmin=403, secadmin=403, auditor=403)),
    Row("GET", f"/apps/chat/{GROUP}/", MEMBER_ONLY),
    Row("POST", f"/apps/chat/{GROUP}/send/", known_only_to(302, *MEMBERS), data={"text": "收到", "client_msg_id": "matrix-page"}),
    Row("POST", f"/apps/chat/{GROUP}/upload/", known_only_to(302, *MEMBERS), data=_upload, multipart=True),
    Row("GET", "/api/chat/conversations", STAFF, check=_listed(_api_ids)),
    Row("POST", "/api/chat/conversations", expect(201, sysadmin=403, secadmin=403, auditor=403),
        data=lambda w: {"title": "临时工作群", "members": [w.others["filler"].pk]}),
    Row("POST", "/api/chat/conversations/direct", expect(200, sysadmin=403, secadmin=403, auditor=403),
        data=lambda w: {"person": w.others["filler"].pk}),
    Row("GET", f"/api/chat/conversations/{GROUP}", MEMBER_ONLY),
    Row("GET", f"/api/chat/conversations/{GROUP}/messages", MEMBER_ONLY),
    Row("POST", f"/api/chat/conversations/{GROUP}/messages", known_only_to(201, *MEMBERS),
        data={"client_msg_id": "matrix-api", "text": "收到"}),
    Row("POST", f"/api/chat/conversations/{GROUP}/files", known_only_to(201, *MEMBERS), data=_upload, multipart=True),
    Row("GET", "/api/chat/messages/{w.chat_file.pk}/file", MEMBER_ONLY),
    Row("POST", f"/api/chat/conversations/{GROUP}/read", MEMBER_ONLY, data={"seq": 1}),
    Row("GET", f"/api/chat/conversations/{GROUP}/members", MEMBER_ONLY),
    Row("POST", f"/api/chat/conversations/{GROUP}/mute", MEMBER_ONLY, data={"muted": True}),
    Row("POST", f"/api/chat/conversations/{GROUP}/members", OWNER_ONLY, data=lambda w: {"members": [w.others["filler"].pk]}),
    Row("DELETE", f"/api/chat/conversations/{GROUP}/members/{{w.people[clerk].pk}}",
        known_only_to(204, "author", clerk=403, head=403)),
    Row("POST", "/api/chat/messages/{w.chat_message.pk}/recall", _recall),
    Row("GET", "/api/chat/messages/{w.chat_message.pk}/reads", OWNER_ONLY),
    # --- message features: voice, thumbnail, forward, pin, star, 加急 ---
    Row("GET", "/apps/chat/starred/", STAFF),
    Row("GET", "/api/chat/starred", STAFF),
    Row("POST", f"/api/chat/conversations/{GROUP}/voice", known_only_to(201, *MEMBERS), data=_voice, multipart=True),
    Row("GET", "/api/chat/messages/{w.chat_image.pk}/thumbnail", MEMBER_ONLY),
    Row("POST", "/api/chat/messages/{w.chat_message.pk}/forward", known_only_to(201, *MEMBERS),
        data=lambda w: {"targets": [{"conversation": w.chat_group.pk, "client_msg_id": "matrix-forward"}]}),
    Row("GET", f"/api/chat/conversations/{GROUP}/pins", MEMBER_ONLY),
    Row("POST", "/api/chat/messages/{w.chat_message.pk}/pin", OWNER_ONLY),
    Row("DELETE", "/api/chat/messages/{w.chat_message.pk}/pin", OWNER_ONLY),
    Row("POST", "/api/chat/messages/{w.chat_message.pk}/star", MEMBER_ONLY),
    Row("DELETE", "/api/chat/messages/{w.chat_message.pk}/star", MEMBER_ONLY),
    # The sender marks it urgent and sees who has not confirmed; the other members are refused.
    Row("POST", "/api/chat/messages/{w.chat_message.pk}/urgent", OWNER_ONLY),
    Row("GET", "/api/chat/messages/{w.chat_message.pk}/urgent", OWNER_ONLY),
]


# --- search, message audit, retention (oversight) ----------------------------------------------

AUDITOR = frozenset({"auditor"})  # the message audit shows what was said, and where, to the audit administrator


def _result_ids(response: HttpResponse) -> list[int]:
    return [result["message"].pk for result in response.context["results"]]


def _hit_ids(response: HttpResponse) -> list[int]:
    return [hit["message"]["id"] for hit in response.json()]


def _audit_page_ids(response: HttpResponse) -> list[int]:
    return [row["found"].message.pk for row in response.context["rows"]]


def _audit_api_ids(response: HttpResponse) -> list[int]:
    return [item["id"] for item in response.json()["items"]]


OVERSIGHT_ROWS = [
    Row("GET", "/apps/chat/search/?q=值守", STAFF, check=_found(_result_ids)),
    Row("GET", f"/apps/chat/{GROUP}/search/?q=值守", MEMBER_ONLY, check=_found(_result_ids)),
    Row("GET", "/api/chat/search?q=值守", STAFF, check=_found(_hit_ids)),
    Row("GET", f"/api/chat/conversations/{GROUP}/around?seq=1", MEMBER_ONLY),
    Row("GET", "/apps/chat/audit/", only("auditor"), sees_every_name=AUDITOR, check=_audited(_audit_page_ids)),
    Row("GET", "/apps/chat/audit/export/?format=csv", only("auditor"), sees_every_name=AUDITOR),
    Row("GET", "/api/chat/audit/messages", only("auditor"), sees_every_name=AUDITOR, check=_audited(_audit_api_ids)),
    Row("GET", "/api/chat/audit/messages/export?format=xlsx", only("auditor"), sees_every_name=AUDITOR),
    # The back office's own rows (made from the admin registry) try every page; this one saves the policy.
    Row("POST", "/admin/chat/retentionpolicy/add/", only("sysadmin", status=302), data={"days": "365"}),
]
ROWS += OVERSIGHT_ROWS


# --- groups: members, roles, name, leaving; 事务群; department groups; bots ---

CLERK = "{w.people[clerk].pk}"
OWNER_PAGE = known_only_to(302, "author", clerk=403, head=403)
NOT_FOR_ADMINS = {"sysadmin": 403, "secadmin": 403, "auditor": 403}
# The matrix's document at the head's review: its drafter, the head and the registry see it (documents' matrix).
REVIEWING = "documents.document:{w.reviewing.pk}"

ROWS += [
    Row("GET", f"/apps/chat/{GROUP}/members/", MEMBER_ONLY),
    Row("POST", f"/apps/chat/{GROUP}/members/add/", OWNER_PAGE, data=lambda w: {"members": [w.others["filler"].pk]}),
    Row("POST", f"/apps/chat/{GROUP}/members/{CLERK}/remove/", OWNER_PAGE),
    Row("POST", f"/apps/chat/{GROUP}/members/{CLERK}/role/", OWNER_PAGE, data={"admin": "on"}),
    Row("POST", f"/apps/chat/{GROUP}/owner/", OWNER_PAGE, data=lambda w: {"person": w.people["clerk"].pk}),
    # The owner is told to hand the group over first (the members page with the refusal).
    Row("POST", f"/apps/chat/{GROUP}/leave/", known_only_to(302, "clerk", "head", author=422)),
    Row("POST", f"/apps/chat/{GROUP}/mute/", known_only_to(302, *MEMBERS), data={"muted": "on"}),
    Row("POST", f"/apps/chat/{GROUP}/rename/", OWNER_PAGE, data={"title": "防汛值班群"}),
    Row("POST", f"/apps/chat/{GROUP}/bots/", OWNER_PAGE, data=lambda w: {"system": w.chat_system.pk}),
    Row("POST", f"/apps/chat/discuss/?subject={REVIEWING}", known_only_to(302, "author", "head", "registrar", **NOT_FOR_ADMINS)),
    Row("GET", "/apps/chat/departments/", expect(403, sysadmin=200)),
    Row("POST", "/apps/chat/departments/", expect(403, sysadmin=302), data=lambda w: {"department": w.office.pk}),
    Row("POST", f"/api/chat/conversations/{GROUP}/members/{CLERK}/role", OWNER_ONLY, data={"admin": True}),
    Row("POST", f"/api/chat/conversations/{GROUP}/owner", OWNER_ONLY, data=lambda w: {"person": w.people["clerk"].pk}),
    Row("POST", f"/api/chat/conversations/{GROUP}/leave", known_only_to(204, "clerk", "head", author=422)),
    Row("PATCH", f"/api/chat/conversations/{GROUP}", OWNER_ONLY, data={"title": "防汛值班群"}),
    Row("POST", f"/api/chat/conversations/{GROUP}/bots", OWNER_ONLY, data=lambda w: {"system": w.chat_system.pk}),
    Row("POST", "/api/chat/discussions", known_only_to(200, "author", "head", "registrar", **NOT_FOR_ADMINS),
        data=lambda w: {"subject": f"documents.document:{w.reviewing.pk}"}),
    Row("POST", "/api/chat/departments/{w.office.pk}/group", expect(403, sysadmin=200)),
    Row("POST", "/apps/chat/departments/{w.east_office.pk}/off/", expect(403, sysadmin=302), data={"owner": ""}),
    Row("POST", "/api/chat/departments/{w.east_office.pk}/group/disable", expect(403, sysadmin=200), data={"owner": None}),
    # For integrated systems' tokens (zta_…) only: a person's token is not one (the systems' own are tried in test_bots).
    Row("POST", f"/api/chat/external/conversations/{GROUP}/messages", expect(IN), data={"client_msg_id": "m-bot", "text": "水位正常"}),
]
