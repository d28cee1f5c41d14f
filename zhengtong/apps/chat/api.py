"""The chat API: everything the pages do. Errors come in the house shape (zhengtong/errors.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import FileResponse, HttpRequest, StreamingHttpResponse
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from zhengtong.apps.chat import bots, departments, discussions, features, groups, oversight, search, services
from zhengtong.apps.chat.rules import VIEW
from zhengtong.pagination import MAX_LIMIT, position
from zhengtong.platform.access import permissions as perms
from zhengtong.platform.access.policy import require
from zhengtong.platform.files import services as files
from zhengtong.platform.todo.auth import ApplicationToken

router = Router(tags=["chat"])


class ChatQuoteOut(Schema):
    id: int
    seq: int
    text: str


class ChatFileOut(Schema):
    name: str
    kind: str
    size: int
    url: str = Field(..., description="Where the members download it (an image shows inline from here).")


class ChatForwardedOut(Schema):
    sender: int
    sender_name: str


class ChatMessageOut(Schema):
    id: int
    conversation: int
    seq: int = Field(..., description="Position in the conversation: strictly increasing, the cursor of the message list.")
    client_msg_id: str
    sender: int
    sender_name: str
    kind: str
    text: str = Field(..., description="Empty once recalled.")
    recalled: bool
    mentions: list[int]
    mention_all: bool
    quote: ChatQuoteOut | None
    file: ChatFileOut | None
    created_at: datetime
    thumbnail_url: str | None = Field(None, description="An image's small copy, shown inline; the file's url is the full image.")
    duration_ms: int | None = Field(None, description="A voice message's length.")
    forwarded_from: ChatForwardedOut | None = Field(None, description="A forwarded copy (转发): who first sent it.")
    urgent: bool = Field(False, description="加急: its unread recipients are reminded.")
    bot: bool = Field(False, description="Posted by an integrated system: the sender name is the system's (机器人).")


class ChatConversationOut(Schema):
    id: int
    kind: str
    title: str
    role: str
    active: bool = Field(..., description="False once I was removed: I read what came before, I cannot post.")
    muted: bool
    unread: int
    read_seq: int
    last_seq: int
    history_from_join: bool
    last_message: ChatMessageOut | None
    department: int | None = Field(None, description="A department group: the directory department its members follow.")
    subject: str | None = Field(None, description="A 事务群: the record it discusses (\"<app>.<kind>:<id>\").")


class ChatConversationList(Schema):
    items: list[ChatConversationOut]
    unread_total: int


class ChatMessagePage(Schema):
    items: list[ChatMessageOut] = Field(..., description="Oldest first.")
    next_cursor: str | None = Field(..., description="Pass as `after` (when you gave `after`) or `before` for the next page; "
                                                     "null when there is no more in that direction.")


class ChatMessagesIn(Schema):
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    before: str = Field("", max_length=20, description="Messages before this position (older); empty: the newest.")
    after: str = Field("", max_length=20, description="Messages after this position (newer); wins over `before`.")


class ChatSendIn(Schema):
    client_msg_id: str = Field(..., min_length=1, max_length=64, description="Chosen by the device; a retry with the same id "
                                                                             "returns the stored message.")
    text: str = Field(..., max_length=services.MAX_TEXT)
    quote: int | None = None
    mentions: list[int] | None = Field(None, description="People mentioned; omitted: taken from @names in the text.")


class ChatDirectIn(Schema):
    person: int


class ChatGroupIn(Schema):
    title: str = Field(..., max_length=100)
    members: list[int] = Field(..., max_length=services.MAX_GROUP)
    history_from_join: bool = False


class ChatMembersIn(Schema):
    members: list[int] = Field(..., min_length=1, max_length=services.MAX_GROUP)


class ChatReadIn(Schema):
    seq: int = Field(..., ge=0)


class ChatMuteIn(Schema):
    muted: bool


class ChatReadOut(Schema):
    read_seq: int


class ChatPersonOut(Schema):
    id: int
    name: str


class ChatReadStateOut(Schema):
    message: int
    seq: int
    read_count: int
    unread_count: int
    read: list[ChatPersonOut] | None = Field(..., description="Null above the configured group size: counts only.")
    unread: list[ChatPersonOut] | None


class ChatMemberOut(Schema):
    id: int
    name: str
    role: str
    joined_at: datetime
    read_seq: int
    bot: bool = Field(False, description="An integrated system's bot.")


def _conversation_out(item: dict[str, Any]) -> ChatConversationOut:
    conversation, member, last = item["conversation"], item["member"], item["last"]
    return ChatConversationOut(id=conversation.pk, kind=conversation.kind, title=item["title"], role=member.role, active=member.active,
                           muted=member.muted, unread=item["unread"], read_seq=member.read_seq,
                           last_seq=conversation.last_seq if member.left_seq is None else member.left_seq,
                           history_from_join=conversation.history_from_join,
                           department=conversation.department_id, subject=conversation.subject,
                           last_message=ChatMessageOut(**services.message_payload(last)) if last else None)


def _one(user: Any, conversation_id: int) -> ChatConversationOut:
    item = next(i for i in services.my_conversations(user) if i["conversation"].pk == conversation_id)
    return _conversation_out(item)


@router.get("/conversations", response=ChatConversationList, summary="My conversations, latest first, with unread counts")
def list_conversations(request: HttpRequest) -> dict[str, Any]:
    require(request.user, perms.USE_BUSINESS_APPS)
    items = services.my_conversations(request.user)
    discussions.follow_titles_in_list(request.user, items)
    return {"items": [_conversation_out(item) for item in items], "unread_total": sum(item["unread"] for item in items)}


@router.post("/conversations/direct", response=ChatConversationOut, summary="The 1:1 conversation with a person (opened if new)")
def open_direct(request: HttpRequest, payload: ChatDirectIn) -> ChatConversationOut:
    conversation = services.open_direct(acting_user=request.user, other_id=payload.person)
    return _one(request.user, conversation.pk)


@router.post("/conversations", response={201: ChatConversationOut}, summary="Create a group")
def create_group(request: HttpRequest, payload: ChatGroupIn) -> Status[ChatConversationOut]:
    conversation = services.create_group(acting_user=request.user, title=payload.title, member_ids=payload.members,
                                         history_from_join=payload.history_from_join)
    return Status(201, _one(request.user, conversation.pk))


@router.get("/conversations/{conversation_id}", response=ChatConversationOut, summary="One of my conversations")
def get_conversation(request: HttpRequest, conversation_id: int) -> ChatConversationOut:
    services.conversation_of(request.user, conversation_id, VIEW)
    return _one(request.user, conversation_id)


@router.get("/conversations/{conversation_id}/messages", response=ChatMessagePage,
            summary="Messages of a conversation, paged both ways by position")
def list_messages(request: HttpRequest, conversation_id: int, params: Query[ChatMessagesIn]) -> dict[str, Any]:
    conversation = services.conversation_of(request.user, conversation_id, VIEW)
    after, before = position(params.after), position(params.before)
    rows, more = services.page_of_messages(request.user, conversation, before=before, after=after, limit=params.limit)
    cursor = None
    if more and rows:
        cursor = str(rows[-1].seq if after else rows[0].seq)
    return {"items": [services.message_payload(row) for row in rows], "next_cursor": cursor}


@router.post("/conversations/{conversation_id}/messages", response={201: ChatMessageOut}, summary="Send a message (idempotent)")
def send_message(request: HttpRequest, conversation_id: int, payload: ChatSendIn) -> Status[ChatMessageOut]:
    message = services.send(acting_user=request.user, conversation_id=conversation_id, client_msg_id=payload.client_msg_id,
                            text=payload.text, quote_id=payload.quote, mentions=payload.mentions)
    return Status(201, ChatMessageOut(**services.message_payload(message)))


@router.post("/conversations/{conversation_id}/files", response={201: ChatMessageOut},
             summary="Send a file or image (multipart: 'file' and 'client_msg_id'); type, content and size are checked")
def send_file(request: HttpRequest, conversation_id: int, file: File[UploadedFile],
              client_msg_id: Form[str]) -> Status[ChatMessageOut]:
    message = services.send_file(acting_user=request.user, conversation_id=conversation_id, client_msg_id=client_msg_id, upload=file)
    return Status(201, ChatMessageOut(**services.message_payload(message)))


@router.get("/messages/{message_id}/file", summary="Download the file of a message (members who may see it)")
def download_file(request: HttpRequest, message_id: int) -> FileResponse:
    return files.open_for_download(acting_user=request.user, stored=services.message_file(request.user, message_id))


@router.post("/conversations/{conversation_id}/read", response=ChatReadOut, summary="Move my read watermark forward")
def mark_read(request: HttpRequest, conversation_id: int, payload: ChatReadIn) -> dict[str, int]:
    return {"read_seq": services.mark_read(acting_user=request.user, conversation_id=conversation_id, seq=payload.seq)}


@router.post("/conversations/{conversation_id}/mute", response=ChatConversationOut,
             summary="免打扰: no message-center notice for this conversation (mentions still come)")
def set_muted(request: HttpRequest, conversation_id: int, payload: ChatMuteIn) -> ChatConversationOut:
    services.set_muted(acting_user=request.user, conversation_id=conversation_id, muted=payload.muted)
    return _one(request.user, conversation_id)


@router.get("/conversations/{conversation_id}/members", response=list[ChatMemberOut], summary="The current members, the owner first")
def list_members(request: HttpRequest, conversation_id: int) -> list[dict[str, Any]]:
    return groups.members(services.conversation_of(request.user, conversation_id, VIEW))


@router.post("/conversations/{conversation_id}/members", response=list[ChatMemberOut], summary="Add members (owner and administrators)")
def add_members(request: HttpRequest, conversation_id: int, payload: ChatMembersIn) -> list[dict[str, Any]]:
    services.add_members(acting_user=request.user, conversation_id=conversation_id, member_ids=payload.members)
    return list_members(request, conversation_id)


@router.delete("/conversations/{conversation_id}/members/{person_id}", response={204: None},
               summary="Remove a member (owner and administrators)")
def remove_member(request: HttpRequest, conversation_id: int, person_id: int) -> Status[None]:
    services.remove_member(acting_user=request.user, conversation_id=conversation_id, person_id=person_id)
    return Status(204, None)


@router.post("/messages/{message_id}/recall", response=ChatMessageOut, summary="Recall my message within 2 minutes")
def recall_message(request: HttpRequest, message_id: int) -> ChatMessageOut:
    return ChatMessageOut(**services.message_payload(services.recall(acting_user=request.user, message_id=message_id)))


@router.get("/messages/{message_id}/reads", response=ChatReadStateOut, summary="Who has and who has not read my message")
def read_state(request: HttpRequest, message_id: int) -> dict[str, Any]:
    return services.read_state(request.user, message_id)


# --- message features: voice, thumbnail, forward, pin, star, 加急 (features.py) ----------------------


class ChatForwardTargetIn(Schema):
    conversation: int
    client_msg_id: str = Field(..., min_length=1, max_length=64, description="One per target: a retry returns the copy made.")


class ChatForwardIn(Schema):
    targets: list[ChatForwardTargetIn] = Field(..., min_length=1, max_length=features.MAX_FORWARD)


class ChatStarOut(Schema):
    message: int
    starred: bool


class ChatStarredOut(Schema):
    conversation_title: str
    message: ChatMessageOut


class ChatUrgentPersonOut(Schema):
    id: int
    name: str
    confirmed: bool = Field(..., description="Has read the message.")
    reminded: int = Field(..., description="Reminders sent after the first notice.")


class ChatUrgentOut(Schema):
    message: int
    urgent: bool
    unconfirmed: int
    people: list[ChatUrgentPersonOut]


def _messages_out(rows: list[Any]) -> list[ChatMessageOut]:
    return [ChatMessageOut(**services.message_payload(row)) for row in rows]


@router.post("/conversations/{conversation_id}/voice", response={201: ChatMessageOut},
             summary="Send a voice message (multipart: 'file', 'client_msg_id', 'duration_ms'); WebM, Ogg or MP4 audio, up to 60 s")
def send_voice(request: HttpRequest, conversation_id: int, file: File[UploadedFile], client_msg_id: Form[str],
               duration_ms: Form[int]) -> Status[ChatMessageOut]:
    message = features.send_voice(acting_user=request.user, conversation_id=conversation_id, client_msg_id=client_msg_id,
                                  upload=file, duration_ms=duration_ms)
    return Status(201, ChatMessageOut(**services.message_payload(message)))


@router.get("/messages/{message_id}/thumbnail", summary="The thumbnail of an image message (members who may see it)")
def download_thumbnail(request: HttpRequest, message_id: int) -> FileResponse:
    return files.open_for_download(acting_user=request.user, stored=features.message_thumbnail(request.user, message_id))


@router.post("/messages/{message_id}/forward", response={201: list[ChatMessageOut]},
             summary="Forward a message to conversations where I may post (转发; idempotent per target)")
def forward_message(request: HttpRequest, message_id: int, payload: ChatForwardIn) -> Status[list[ChatMessageOut]]:
    copies = features.forward(acting_user=request.user, message_id=message_id,
                              targets=[(t.conversation, t.client_msg_id) for t in payload.targets])
    return Status(201, _messages_out(copies))


@router.get("/conversations/{conversation_id}/pins", response=list[ChatMessageOut], summary="The pinned messages (置顶), latest first")
def list_pins(request: HttpRequest, conversation_id: int) -> list[ChatMessageOut]:
    conversation = services.conversation_of(request.user, conversation_id, VIEW)
    return _messages_out(features.pins_of(request.user, conversation))


@router.post("/messages/{message_id}/pin", response=list[ChatMessageOut],
             summary="Pin a message (group owner and administrators, either person of a 1:1); answers the pins")
def pin_message(request: HttpRequest, message_id: int) -> list[ChatMessageOut]:
    return _messages_out(features.pin(acting_user=request.user, message_id=message_id, pinned=True))


@router.delete("/messages/{message_id}/pin", response=list[ChatMessageOut], summary="Unpin a message; answers the pins")
def unpin_message(request: HttpRequest, message_id: int) -> list[ChatMessageOut]:
    return _messages_out(features.pin(acting_user=request.user, message_id=message_id, pinned=False))


@router.post("/messages/{message_id}/star", response=ChatStarOut, summary="Star a message I can see (收藏)")
def star_message(request: HttpRequest, message_id: int) -> dict[str, Any]:
    return {"message": message_id, "starred": features.star(acting_user=request.user, message_id=message_id, starred=True)}


@router.delete("/messages/{message_id}/star", response=ChatStarOut, summary="Unstar a message")
def unstar_message(request: HttpRequest, message_id: int) -> dict[str, Any]:
    return {"message": message_id, "starred": features.star(acting_user=request.user, message_id=message_id, starred=False)}


class ChatStarredIn(Schema):
    limit: int = Field(features.STARRED_PAGE, ge=1, le=MAX_LIMIT)
    cursor: str = Field("", max_length=20, description="`next_cursor` of the previous page; empty for the newest.")


class ChatStarredPage(Schema):
    items: list[ChatStarredOut] = Field(..., description="The latest starred first.")
    next_cursor: str | None = Field(..., description="Pass as `cursor` for the next (older) page; null on the last page.")


@router.get("/starred", response=ChatStarredPage, summary="My starred messages, latest first, paged (only those I can still see)")
def list_starred(request: HttpRequest, params: Query[ChatStarredIn]) -> dict[str, Any]:
    require(request.user, perms.USE_BUSINESS_APPS)
    rows, more = features.starred_page(request.user, limit=params.limit, before=position(params.cursor))
    return {"items": [ChatStarredOut(conversation_title=services.title_for(request.user, m.conversation),
                                     message=ChatMessageOut(**services.message_payload(m))) for m in rows],
            "next_cursor": str(more) if more else None}


@router.post("/messages/{message_id}/urgent", response=ChatUrgentOut,
             summary="加急: the sender has the unread recipients notified now and reminded until they read it")
def mark_urgent(request: HttpRequest, message_id: int) -> dict[str, Any]:
    features.mark_urgent(acting_user=request.user, message_id=message_id)
    return features.urgent_state(request.user, message_id)


@router.get("/messages/{message_id}/urgent", response=ChatUrgentOut, summary="Who has not yet confirmed my urgent message")
def urgent_state(request: HttpRequest, message_id: int) -> dict[str, Any]:
    return features.urgent_state(request.user, message_id)


# --- search and message audit (oversight) ------------------------------------------------------


class ChatSearchIn(Schema):
    q: str = Field(..., min_length=1, max_length=100, description="Words to find (Chinese is segmented: 防汛 finds 做好防汛准备).")
    conversation: int | None = Field(None, description="Only in this conversation of mine; omitted: in all of mine.")
    limit: int = Field(search.LIMIT, ge=1, le=search.LIMIT)


class ChatSearchHitOut(Schema):
    message: ChatMessageOut
    conversation_title: str
    highlights: list[tuple[int, int]] = Field(..., description="Where the query's words stand in `text`: [start, end) in characters.")
    url: str = Field(..., description="The conversation page opened at this message.")


class ChatAroundIn(Schema):
    seq: int = Field(..., ge=1, description="The position to open at (a search hit's `seq`).")
    limit: int = Field(50, ge=2, le=MAX_LIMIT)


class ChatAroundPage(Schema):
    items: list[ChatMessageOut] = Field(..., description="Oldest first, the message at `seq` among them when I may see it.")
    before_cursor: str | None = Field(..., description="Pass as `before` to the message list for older ones; null when none.")
    after_cursor: str | None = Field(..., description="Pass as `after` to the message list for newer ones; null when none.")


class ChatAuditPersonOut(Schema):
    id: int
    username: str
    name: str


class ChatAuditMessageOut(Schema):
    id: int
    conversation: int
    conversation_title: str
    seq: int
    sender: ChatAuditPersonOut
    kind: str
    text: str = Field(..., description="What was said, kept for the audit even once recalled.")
    created_at: datetime
    recalled_at: datetime | None
    read: list[ChatAuditPersonOut] = Field(..., description="Members who may see it (the sender aside) whose read watermark reached it.")
    unread: list[ChatAuditPersonOut]


class ChatAuditPage(Schema):
    items: list[ChatAuditMessageOut] = Field(..., description="Newest first.")
    next_cursor: str | None = Field(..., description="Pass as `before` for the next (older) page; null when there is no more.")


class ChatAuditIn(oversight.MessageFilter):
    before: int | None = Field(None, ge=1, description="`next_cursor` of the previous page.")
    limit: int = Field(oversight.PAGE, ge=1, le=200)


class ChatAuditExportIn(oversight.MessageFilter):
    format: Literal["csv", "xlsx"] = "csv"


def _hit(user: Any, message: Any, query: str) -> ChatSearchHitOut:
    return ChatSearchHitOut(message=ChatMessageOut(**services.message_payload(message)),
                            conversation_title=services.title_for(user, message.conversation), highlights=search.hits(message.text, query),
                            url=search.link(message, query))


@router.get("/search", response=list[ChatSearchHitOut], summary="Search my messages, newest first (in one conversation or in all of mine)")
def search_messages(request: HttpRequest, params: Query[ChatSearchIn]) -> list[ChatSearchHitOut]:
    require(request.user, perms.USE_BUSINESS_APPS)
    conversation = services.conversation_of(request.user, params.conversation, VIEW) if params.conversation else None
    found = search.find(request.user, params.q, conversation=conversation, limit=params.limit)
    return [_hit(request.user, message, params.q) for message in found]


@router.get("/conversations/{conversation_id}/around", response=ChatAroundPage,
            summary="Messages around a position (a search hit), paged on both sides")
def messages_around(request: HttpRequest, conversation_id: int, params: Query[ChatAroundIn]) -> dict[str, Any]:
    conversation = services.conversation_of(request.user, conversation_id, VIEW)
    rows, older, newer = services.page_around(request.user, conversation, params.seq, limit=params.limit)
    return {"items": [services.message_payload(row) for row in rows],
            "before_cursor": str(rows[0].seq) if older and rows else None, "after_cursor": str(rows[-1].seq) if newer and rows else None}


def _audit_person(person: Any) -> dict[str, Any]:
    return {"id": person.pk, "username": person.username, "name": person.get_full_name()}


def _audited(found: oversight.AuditedMessage) -> dict[str, Any]:
    message = found.message
    return {"id": message.pk, "conversation": message.conversation_id, "conversation_title": oversight.title_of(message.conversation),
            "seq": message.seq, "sender": _audit_person(message.sender), "kind": message.kind, "text": message.text,
            "created_at": message.created_at, "recalled_at": message.recalled_at,
            "read": [_audit_person(p) for p in found.read], "unread": [_audit_person(p) for p in found.unread]}


@router.get("/audit/messages", response=ChatAuditPage, summary="Message audit: find messages, who said what and who read it "
                                                                "(audit administrator; audited)")
def audit_messages(request: HttpRequest, params: Query[ChatAuditIn]) -> dict[str, Any]:
    query = oversight.MessageFilter(**params.model_dump(include=set(oversight.MessageFilter.model_fields)))
    rows, next_before = oversight.search(request.user, query, before=params.before, limit=params.limit)
    items = [_audited(found) for found in rows]
    return {"items": items, "next_cursor": str(next_before) if next_before else None}


@router.get("/audit/messages/export", summary="Message audit export as CSV or XLSX (audit administrator; audited)",
            openapi_extra={"responses": {200: {"description": "CSV (UTF-8 with a byte-order mark) or XLSX",
                                               "content": {"text/csv": {}, oversight.FORMATS["xlsx"]: {}}}}})
def audit_export(request: HttpRequest, params: Query[ChatAuditExportIn]) -> StreamingHttpResponse:
    query = oversight.MessageFilter(**params.model_dump(include=set(oversight.MessageFilter.model_fields)))
    return oversight.export_response(request.user, query, params.format)


# --- groups: managing members, department groups, 事务群, bots ---------------------------------


class ChatRoleIn(Schema):
    admin: bool = Field(..., description="True: make an administrator; false: a member again.")


class ChatPersonIn(Schema):
    person: int


class ChatRenameIn(Schema):
    title: str = Field(..., max_length=100)


class ChatSystemIn(Schema):
    system: int = Field(..., description="An integrated application holding the chat scope.")


class ChatSubjectIn(Schema):
    subject: str = Field(..., max_length=100, description="The record: \"<app>.<kind>:<id>\", e.g. documents.document:12.")


class ChatDepartmentGroupOut(Schema):
    conversation: int
    department: int
    title: str
    members: int


class ChatBotSendIn(Schema):
    client_msg_id: str = Field(..., min_length=1, max_length=64, description="A retry with the same id returns the stored message.")
    text: str = Field(..., max_length=services.MAX_TEXT)


@router.post("/conversations/{conversation_id}/members/{person_id}/role", response=list[ChatMemberOut],
             summary="Make a member an administrator, or a member again (the owner)")
def set_role(request: HttpRequest, conversation_id: int, person_id: int, payload: ChatRoleIn) -> list[dict[str, Any]]:
    groups.set_admin(acting_user=request.user, conversation_id=conversation_id, person_id=person_id, admin=payload.admin)
    return list_members(request, conversation_id)


@router.post("/conversations/{conversation_id}/owner", response=list[ChatMemberOut],
             summary="Hand the group to another member (the owner, who stays on as an administrator)")
def transfer(request: HttpRequest, conversation_id: int, payload: ChatPersonIn) -> list[dict[str, Any]]:
    groups.transfer(acting_user=request.user, conversation_id=conversation_id, person_id=payload.person)
    return list_members(request, conversation_id)


@router.post("/conversations/{conversation_id}/leave", response={204: None}, summary="Leave a group (its owner hands it over first)")
def leave(request: HttpRequest, conversation_id: int) -> Status[None]:
    groups.leave(acting_user=request.user, conversation_id=conversation_id)
    return Status(204, None)


@router.patch("/conversations/{conversation_id}", response=ChatConversationOut, summary="Rename a group (owner and administrators)")
def rename(request: HttpRequest, conversation_id: int, payload: ChatRenameIn) -> ChatConversationOut:
    groups.rename(acting_user=request.user, conversation_id=conversation_id, title=payload.title)
    return _one(request.user, conversation_id)


@router.post("/conversations/{conversation_id}/bots", response=list[ChatMemberOut],
             summary="Let an integrated application post into the group (owner and administrators)")
def add_bot(request: HttpRequest, conversation_id: int, payload: ChatSystemIn) -> list[dict[str, Any]]:
    bots.add(acting_user=request.user, conversation_id=conversation_id, system_id=payload.system)
    return list_members(request, conversation_id)


@router.post("/discussions", response=ChatConversationOut,
             summary="The 事务群 of a record: started with its participants, or opened if it exists")
def open_discussion(request: HttpRequest, payload: ChatSubjectIn) -> ChatConversationOut:
    conversation = discussions.open_discussion(acting_user=request.user, subject=payload.subject)
    return _one(request.user, conversation.pk)


@router.post("/departments/{department_id}/group", response=ChatDepartmentGroupOut,
             summary="Turn a department's group on (directory managers, system administrators); its people become members")
def enable_department_group(request: HttpRequest, department_id: int) -> dict[str, Any]:
    conversation = departments.enable(acting_user=request.user, department_id=department_id)
    return {"conversation": conversation.pk, "department": department_id, "title": conversation.title,
            "members": conversation.members.filter(left_at__isnull=True).count()}


class ChatDepartmentOffIn(Schema):
    owner: int | None = Field(None, description="A member who owns the group from now on; null: nobody.")


@router.post("/departments/{department_id}/group/disable", response=ChatDepartmentGroupOut,
             summary="Turn a department's group off: it keeps its members and becomes an ordinary group (owned by `owner` or nobody)")
def disable_department_group(request: HttpRequest, department_id: int, payload: ChatDepartmentOffIn) -> dict[str, Any]:
    conversation = departments.disable(acting_user=request.user, department_id=department_id, owner_id=payload.owner)
    return {"conversation": conversation.pk, "department": department_id, "title": conversation.title,
            "members": conversation.members.filter(left_at__isnull=True).count()}


external = Router(tags=["chat external"], auth=ApplicationToken())


@external.post("/conversations/{conversation_id}/messages", response={201: ChatMessageOut},
               summary="An integrated application posts text into a group it was added to (idempotent by client id)")
def bot_send(request: HttpRequest, conversation_id: int, payload: ChatBotSendIn) -> Status[ChatMessageOut]:
    # ApplicationToken authenticated the request and Ninja keeps the system it returned in request.auth.
    message = bots.post(system=request.auth, conversation_id=conversation_id,  # type: ignore[attr-defined]
                        client_msg_id=payload.client_msg_id, text=payload.text)
    return Status(201, ChatMessageOut(**services.message_payload(message)))


router.add_router("/external", external)
