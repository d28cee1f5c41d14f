"""The chat pages: the conversation list and one conversation (its JS keeps it live from the shell's socket)."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from zhengtong.apps.chat import discussions, features, search, services
from zhengtong.apps.chat.forms import FileForm, GroupForm, MessageForm, SearchForm, StarredForm
from zhengtong.apps.chat.models import Conversation, Member
from zhengtong.apps.chat.rules import PIN, VIEW
from zhengtong.errors import ServiceError
from zhengtong.platform.access import permissions as perms
from zhengtong.platform.access.policy import can, require

PAGE_SIZE = 50


@login_required
def conversation_list(request: HttpRequest) -> HttpResponse:
    require(request.user, perms.USE_BUSINESS_APPS)
    items = services.my_conversations(request.user)
    discussions.follow_titles_in_list(request.user, items)
    for item in items:
        item["preview"] = services.shown_text(item["last"]) if item["last"] else ""
    return render(request, "chat/list.html", {"items": items, "unread_total": sum(i["unread"] for i in items)})


@login_required
def group_create(request: HttpRequest) -> HttpResponse:
    require(request.user, perms.USE_BUSINESS_APPS)
    form = GroupForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            conversation = services.create_group(acting_user=request.user, title=form.cleaned_data["title"],
                                                 member_ids=[p.pk for p in form.cleaned_data["members"]],
                                                 history_from_join=form.cleaned_data["history_from_join"])
        except ServiceError as exc:
            status = exc.status
            for field, errors in exc.fields.items():
                form.add_error(field if field in form.fields else None, errors)
            if not exc.fields:
                form.add_error(None, exc.message)
        else:
            return redirect("chat:conversation", pk=conversation.pk)
    elif request.method == "POST":
        status = 400  # the house's answer to a form sent wrong: the form again, with its errors
    return render(request, "chat/new.html", {"form": form, "people": form.fields["members"].queryset}, status=status)  # type: ignore[attr-defined]


@login_required
@require_POST
def direct_open(request: HttpRequest, person_id: int) -> HttpResponse:
    conversation = services.open_direct(acting_user=request.user, other_id=person_id)
    return redirect("chat:conversation", pk=conversation.pk)


def _marks(user: Any, conversation: Conversation, messages: list[Any], members: list[Member]) -> dict[int, str]:
    """已读 / 未读 (1:1) or "N 人未读" / 全部已读 (groups) for each of my messages."""
    from django.utils.translation import npgettext, pgettext

    # Who can read: a bot's account (bots.py) and a disabled person's never will.
    others = [m for m in members if m.person_id != user.pk and m.person.is_active]
    marks = {}
    for message in messages:
        if message.sender_id != user.pk or message.recalled_at:
            continue
        audience = [m for m in others if m.sees(conversation, message.seq)]
        unread = sum(1 for m in audience if m.read_seq < message.seq)
        if conversation.kind == Conversation.Kind.DIRECT:
            marks[message.pk] = pgettext("read mark", "Unread") if unread else pgettext("read mark", "Read")
        else:
            marks[message.pk] = (npgettext("read mark", "%(n)d unread", "%(n)d unread", unread) % {"n": unread} if unread
                              else pgettext("read mark", "All read"))
    return marks


def _conversation(request: HttpRequest, pk: int, form: MessageForm | None = None, status: int = 200,
                  file_form: FileForm | None = None) -> HttpResponse:
    conversation = services.conversation_of(request.user, pk, VIEW)
    me = services.member_of(request.user, conversation)
    if me.active:
        discussions.follow_record_title(request.user, [conversation])
    around, newer = _around(request), False
    if around:
        messages, more, newer = services.page_around(request.user, conversation, around, limit=PAGE_SIZE)
    else:
        messages, more = services.page_of_messages(request.user, conversation, limit=PAGE_SIZE)
    members = list(Member.objects.filter(conversation=conversation, left_at__isnull=True).select_related("person").order_by("pk"))
    marks = _marks(request.user, conversation, messages, members)
    rows = [{"message": m, "text": services.shown_text(m), "mine": m.sender_id == request.user.pk, "mark": marks.get(m.pk, "")}
            for m in messages]
    _mark_hit(request, rows, around)
    state = {"conversation": conversation.pk, "me": request.user.pk, "kind": conversation.kind,
             "last_seq": messages[-1].seq if messages else 0, "read_seq": me.read_seq, "active": me.active,
             "members": [{"id": m.person_id, "read_seq": m.read_seq, "first": m.first_visible(conversation)} for m in members
                         if m.person.is_active],
             "api": f"/api/chat/conversations/{conversation.pk}", "newer": newer,
             "latest": reverse("chat:conversation", args=[conversation.pk])}
    form = form or MessageForm(initial={"client_msg_id": uuid.uuid4().hex})
    file_form = file_form or FileForm(initial={"client_msg_id": uuid.uuid4().hex})
    return render(request, "chat/conversation.html", {
        "conversation": conversation, "title": services.title_for(request.user, conversation), "me": me, "rows": rows,
        "more": more, "newer": newer, "members": members, "form": form, "file_form": file_form, "state": state, "csrf": get_token(request),
        "record_url": discussions.record_link(conversation), **_feature_context(request.user, conversation, rows, state)},
        status=status)


# --- message features: pins, stars, forward targets, voice (features.py) ---


def _feature_rows(user: Any, rows: list[dict[str, Any]], pinned: set[int]) -> None:
    starred = features.starred_ids(user, [row["message"] for row in rows])
    # 加急 that I sent: how many have not yet confirmed (read) it.
    unconfirmed = features.unconfirmed_counts([row["message"] for row in rows if row["message"].urgent_at
                                               and row["message"].sender_id == user.pk and not row["message"].recalled_at])
    for row in rows:
        message = row["message"]
        row.update(starred=message.pk in starred, pinned=message.pk in pinned,
                   seconds=max(1, round((message.duration_ms or 0) / 1000)), unconfirmed=unconfirmed.get(message.pk))


def _feature_context(user: Any, conversation: Conversation, rows: list[dict[str, Any]], state: dict[str, Any]) -> dict[str, Any]:
    """The pinned bar, each message's 收藏/置顶 marks, and where I may forward to; the page's JS gets the same."""
    pins = features.pins_of(user, conversation)
    _feature_rows(user, rows, {pin.pk for pin in pins})
    state.update(may_pin=can(user, PIN, conversation), voice_max_ms=features.VOICE_MAX_MS)
    return {"pins": pins, "targets": [t for t in features.post_targets(user) if t["id"] != conversation.pk]}


@login_required
def starred_list(request: HttpRequest) -> HttpResponse:
    """我的收藏: the messages I starred that I can still see, the latest starred first."""
    require(request.user, perms.USE_BUSINESS_APPS)
    form = StarredForm(request.GET)
    before = (form.cleaned_data["cursor"] or 0) if form.is_valid() else 0
    messages, more = features.starred_page(request.user, before=before)
    rows = [{"message": m, "text": services.shown_text(m), "title": services.title_for(request.user, m.conversation)} for m in messages]
    _feature_rows(request.user, rows, set())
    return render(request, "chat/starred.html", {"rows": rows, "more": more, "later": bool(before)})


@login_required
def conversation_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _conversation(request, pk)


@login_required
@require_POST
def message_send(request: HttpRequest, pk: int) -> HttpResponse:
    services.conversation_of(request.user, pk, VIEW)
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            message = services.send(acting_user=request.user, conversation_id=pk, client_msg_id=form.cleaned_data["client_msg_id"],
                                    text=form.cleaned_data["text"], quote_id=form.cleaned_data["quote"])
        except ServiceError as exc:
            for field, errors in exc.fields.items():
                form.add_error(field if field in form.fields else None, errors)
            if not exc.fields:
                form.add_error(None, exc.message)
            return _conversation(request, pk, form, exc.status)
        return redirect(reverse("chat:conversation", args=[pk]) + f"#m{message.seq}")
    return _conversation(request, pk, form, 400)


@login_required
@require_POST
def file_send(request: HttpRequest, pk: int) -> HttpResponse:
    services.conversation_of(request.user, pk, VIEW)
    form = FileForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            message = services.send_file(acting_user=request.user, conversation_id=pk, client_msg_id=form.cleaned_data["client_msg_id"],
                                         upload=form.cleaned_data["file"])
        except ServiceError as exc:
            form.add_error("file", exc.message)
            return _conversation(request, pk, status=exc.status, file_form=form)
        return redirect(reverse("chat:conversation", args=[pk]) + f"#m{message.seq}")
    return _conversation(request, pk, status=400, file_form=form)


# --- search (oversight) -----------------------------------------------------------------------------


def _around(request: HttpRequest) -> int:
    """The position a search result opens the conversation at (``?around=<seq>``), 0 for the newest."""
    raw = request.GET.get("around", "")
    return int(raw) if raw.isdigit() and len(raw) <= 18 else 0


def _mark_hit(request: HttpRequest, rows: list[dict[str, Any]], around: int) -> None:
    """The message a search result points at stands out, its words marked."""
    query = request.GET.get("q", "")[:100]
    for row in rows:
        if around and row["message"].seq == around and not row["message"].recalled_at:
            row["hit"] = True
            if query and row["message"].kind == "text":
                row["text"] = search.highlighted(row["text"], query)


def _search(request: HttpRequest, conversation: Conversation | None) -> HttpResponse:
    form = SearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    titles: dict[int, str] = {}
    results = []
    for message in search.find(request.user, query, conversation=conversation) if query else []:
        if message.conversation_id not in titles:
            titles[message.conversation_id] = services.title_for(request.user, message.conversation)
        results.append({"message": message, "title": titles[message.conversation_id], "text": search.highlighted(message.text, query),
                        "link": search.link(message, query)})
    return render(request, "chat/search.html", {
        "search_form": form, "query": query, "results": results, "conversation": conversation,
        "title": services.title_for(request.user, conversation) if conversation else ""},
        status=400 if request.GET and not form.is_valid() else 200)


@login_required
def search_mine(request: HttpRequest) -> HttpResponse:
    """Search across all my conversations."""
    require(request.user, perms.USE_BUSINESS_APPS)
    return _search(request, None)


@login_required
def search_conversation(request: HttpRequest, pk: int) -> HttpResponse:
    """Search within one of my conversations."""
    return _search(request, services.conversation_of(request.user, pk, VIEW))
