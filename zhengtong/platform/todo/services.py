"""The only code that changes to-do entries and integrated systems.

Apps say what the list should show about one of their records: ``put`` (exactly these people
have an entry for it now) and ``withdraw`` (nobody has); ``put_for`` when a record is only ever
one person's (a work item, a copy), which needs nothing read back. Inside a service transaction
(``batch.atomic``) the puts are collected and written once, in bulk, at its end: a record put
five times is written once, and the people whose lists changed get one ``todo.changed`` event.
Outside one, a put is written at once. Every new open to-do also arrives as a notice, sent by
the worker (``notify_arrivals``, ``ZT_TODO_NOTICE_CATEGORIES``). The source's own action is what
is audited; mirroring it is not a second change.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from zhengtong.errors import NotFound, ServiceError
from zhengtong.platform import batch, prepared, registry
from zhengtong.platform.access import permissions as perms
from zhengtong.platform.access.policy import require
from zhengtong.platform.accounts.services import InsufficientScope
from zhengtong.platform.audit import services as audit
from zhengtong.platform.notices import services as notices
from zhengtong.platform.notices import stream
from zhengtong.platform.notices.categories import SYSTEM
from zhengtong.platform.notices.models import Notice
from zhengtong.platform.todo.models import UNDATED, Entry, IntegratedSystem

TODO_CHANGED = "todo.changed"
EXTERNAL = "todo.external"
# What a source says of one entry; ids and bookkeeping times are the list's own.
FIELDS = ("title", "subtitle", "link", "sender_name", "on_behalf_of", "urgency", "classification", "tab", "state", "actions",
          "due_at", "warn_at", "created_at", "completed_at")
ARRIVALS_BATCH = 500


@dataclass
class Todo:
    """What one person should see about one record."""

    user_id: int
    title: str
    link: str
    tab: str = Entry.Tab.TODO
    state: str = Entry.State.OPEN
    subtitle: str = ""
    sender_name: str = ""
    on_behalf_of: str = ""
    urgency: str = Entry.Urgency.NORMAL
    classification: int = 0
    # The in-place actions offered on it now: codes the kind's app declares in its manifest.
    actions: Sequence[str] = ()
    due_at: datetime | None = None
    warn_at: datetime | None = None
    created_at: datetime = field(default_factory=timezone.now)
    completed_at: datetime | None = None

    def values(self) -> dict[str, Any]:
        values = {name: getattr(self, name) for name in FIELDS}
        values["actions"] = list(self.actions)
        values["due_sort"] = self.due_at or UNDATED
        return values


@dataclass
class Put:
    app: str
    todos: list[Todo]
    system_id: int | None = None
    # A record only ever one person's: the entry of ``person`` is ``todos`` (nothing else to remove).
    person: int | None = None


class PendingPuts(batch.Pending):
    """The records a service transaction put, last put winning; written after the apps' own flushes."""

    order = 80

    def __init__(self) -> None:
        self.puts: dict[tuple[str, str], Put] = {}

    def flush(self) -> None:
        write(self.puts)


def _collect(kind: str, object_id: Any, wanted: Put) -> None:
    collected = batch.pending(PendingPuts)
    if collected is None:
        with transaction.atomic():
            write({(kind, str(object_id)): wanted})
    else:
        collected.puts[(kind, str(object_id))] = wanted


def put(kind: str, object_id: Any, todos: Iterable[Todo], *, app: str, system_id: int | None = None) -> None:
    """After this transaction, exactly ``todos`` (at most one per person) stand for the record."""
    _collect(kind, object_id, Put(app, list({todo.user_id: todo for todo in todos}.values()), system_id))


def put_for(user_id: int, kind: str, object_id: Any, todo: Todo | None, *, app: str) -> None:
    """The entry of a record that is only ever one person's (``user_id``); None: it leaves their list."""
    _collect(kind, object_id, Put(app, [todo] if todo is not None else [], person=user_id))


def withdraw(kind: str, object_id: Any, *, app: str) -> None:
    """The record waits for nobody any more: its entries leave every list."""
    put(kind, object_id, [], app=app)


def _existing(puts: dict[tuple[str, str], Put]) -> dict[tuple[str, str, int], Entry]:
    """The entries of the records whose people may have changed (one query for them all)."""
    by_kind: dict[str, list[str]] = defaultdict(list)
    for (kind, object_id), wanted in puts.items():
        if wanted.person is None:
            by_kind[kind].append(object_id)
    if not by_kind:
        return {}
    scope = Q()
    for kind, object_ids in by_kind.items():
        scope |= Q(kind=kind, object_id__in=object_ids)
    return {(entry.kind, entry.object_id, entry.user_id): entry for entry in Entry.objects.filter(scope)}


def write(puts: dict[tuple[str, str], Put]) -> None:
    """Bring the entries of the records in ``puts`` in step: at most one read, then bulk writes."""
    if not puts:
        return
    existing = _existing(puts)
    now = timezone.now()
    upserted: list[Entry] = []
    gone = Q()
    affected: dict[int, set[str]] = defaultdict(set)
    for (kind, object_id), wanted in puts.items():
        for todo in wanted.todos:
            entry = existing.pop((kind, object_id, todo.user_id), None)
            values = todo.values()
            if entry is not None and entry.app == wanted.app and all(getattr(entry, name) == value for name, value in values.items()):
                continue
            upserted.append(Entry(user_id=todo.user_id, app=wanted.app, kind=kind, object_id=object_id, system_id=wanted.system_id,
                                  updated_at=now, **values))
            affected[todo.user_id].add(wanted.app)
        if wanted.person is not None and not wanted.todos:
            gone |= Q(kind=kind, object_id=object_id, user_id=wanted.person)
            affected[wanted.person].add(wanted.app)
    for entry in existing.values():  # people a record no longer waits for
        gone |= Q(pk=entry.pk)
        affected[entry.user_id].add(entry.app)
    if upserted:
        # One statement for new and changed entries alike; ``arrival_seen`` is left as it is on a change.
        target = ["kind", "object_id", "user"] if connection.features.supports_update_conflicts_with_target else None
        prepared.insert(upserted, upsert=(target or [], ["app", "system", *FIELDS, "due_sort", "updated_at"]))
    if gone:
        Entry.objects.filter(gone).delete()
    _announce(affected)


def _announce(affected: dict[int, set[str]]) -> None:
    """One ``todo.changed`` per set of apps, to the people whose lists changed: their devices refresh."""
    by_apps: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for user_id, apps in affected.items():
        by_apps[tuple(sorted(apps))].append(user_id)
    for app_keys, user_ids in by_apps.items():
        stream.publish(sorted(user_ids), TODO_CHANGED, {"apps": list(app_keys)})


# --- Arrival notices (the worker) ----------------------------------------------------------------


def _notifies(category: str) -> bool:
    wanted = settings.TODO_NOTICE_CATEGORIES
    return "*" in wanted or category in wanted


def notify_arrivals(now: datetime | None = None) -> int:
    """Send the notice of every to-do that arrived since the last round: in its kind's category, offering
    the same actions in place. An entry already done by now needs none. Returns how many were sent."""
    apps = registry.current()
    sent = 0
    while True:
        with transaction.atomic():
            unseen = list(Entry.objects.select_for_update(skip_locked=connection.features.has_select_for_update_skip_locked)
                          .filter(arrival_seen=False).order_by("arrival_seen", "id")[:ARRIVALS_BATCH])
            if not unseen:
                return sent
            with translation.override(settings.LANGUAGE_CODE):  # stored in the deployment's language, as every notice is
                for entry in unseen:
                    if entry.tab == Entry.Tab.TODO and entry.state == Entry.State.OPEN:
                        sent += _notify_arrival(apps, entry)
            Entry.objects.filter(pk__in=[entry.pk for entry in unseen]).update(arrival_seen=True)


def _notify_arrival(apps: registry.Registry, entry: Entry) -> int:
    category = apps.todo_categories.get(entry.kind)
    if category is None or not _notifies(category):
        return 0
    offered = [{"code": code, "label": str(action.label)} for code in entry.actions
               if (action := apps.action(entry.kind, code)) is not None]
    # A notice links inside the platform only; an integrated system's page opens from the list.
    link = entry.link if entry.link.startswith("/") and not entry.link.startswith("//") else ""
    try:
        notices.notify(sender=None, to=[entry.user_id], title=_("New to-do: %(title)s") % {"title": entry.title},
                       body=" · ".join(part for part in (entry.subtitle, entry.sender_name) if part), link=link, category=category,
                       priority=Notice.Priority.URGENT if entry.urgency == Entry.Urgency.URGENT else Notice.Priority.NORMAL,
                       app=entry.app, quick_actions=offered, target=f"{entry.kind}:{entry.object_id}")
    except ServiceError:  # the person has left since: nobody to tell
        return 0
    return 1


# --- Integrated systems ------------------------------------------------------------------------


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


_DUMMY_DIGEST = _digest("zta-no-such-application")


def create_system(*, acting_user: Any, name: str, code: str, base_url: str, scopes: list[str]) -> tuple[IntegratedSystem, str]:
    """Register an outside system; the returned token is stored only as a hash and shown once."""
    require(acting_user, perms.MANAGE_ACCOUNTS)
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = [_("A name is required.")]
    if not code or IntegratedSystem.objects.filter(code=code).exists() or registry.current().manifest(code) is not None:
        errors["code"] = [_("Choose a code no other application uses.")]
    if urlsplit(base_url).scheme not in ("http", "https") or not urlsplit(base_url).netloc:
        errors["base_url"] = [_("Give the application's http(s) address.")]
    if not scopes or any(scope not in IntegratedSystem.Scope.values for scope in scopes):
        errors["scopes"] = [_("Choose what the application may do.")]
    if errors:
        raise ServiceError("invalid", _("The application details are not valid."), errors)
    prefix, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    with transaction.atomic():
        system = IntegratedSystem.objects.create(name=name.strip(), code=code, base_url=base_url.rstrip("/"), prefix=prefix,
                                                 secret_hash=_digest(secret), scopes=sorted(set(scopes)), created_by=acting_user)
        audit.record("todo.system_created", actor=acting_user, obj=system, changes={"scopes": [None, system.scopes]})
    return system, f"zta_{prefix}_{secret}"


def set_system_active(*, acting_user: Any, system: IntegratedSystem, active: bool) -> None:
    """Revoke (or restore) a system's access; its token stops working at once."""
    require(acting_user, perms.MANAGE_ACCOUNTS)
    with transaction.atomic():
        IntegratedSystem.objects.filter(pk=system.pk).update(is_active=active)
        system.is_active = active
        audit.record("todo.system_" + ("activated" if active else "revoked"), actor=acting_user, obj=system)


def authenticate_system(presented: str) -> IntegratedSystem | None:
    """The active system behind ``zta_<prefix>_<secret>``; the comparison takes the same time either way."""
    parts = presented.split("_", 2)
    prefix, secret = (parts[1], parts[2]) if len(parts) == 3 and parts[0] == "zta" else ("", presented)
    system = IntegratedSystem.objects.filter(prefix=prefix).first() if prefix else None
    expected = system.secret_hash if system is not None else _DUMMY_DIGEST
    matches = hmac.compare_digest(expected, _digest(secret))
    if system is None or not matches or not system.is_active:
        return None
    now = timezone.now()
    if system.last_used_at is None or (now - system.last_used_at).total_seconds() > 60:
        IntegratedSystem.objects.filter(pk=system.pk).update(last_used_at=now)
    return system


def _require_scope(system: IntegratedSystem, scope: str) -> None:
    if scope not in system.scopes:
        raise InsufficientScope("insufficient_scope",
                                _("This application may not do this; it lacks the %(scope)s scope.") % {"scope": scope})


def _recipient(username: str) -> Any:
    user = get_user_model().objects.filter(username=username).first()
    if user is None or not user.is_active:
        raise ServiceError("unknown_user", _("There is no active person %(name)s.") % {"name": username},
                           {"username": [_("Unknown or disabled person.")]})
    return user


def _checked_link(system: IntegratedSystem, link: str) -> str:
    """A link into the system's own pages, or a path on this platform; nothing else opens from the list."""
    parts = urlsplit(link)
    base = urlsplit(system.base_url)
    if (parts.scheme, parts.netloc) == (base.scheme, base.netloc) and parts.path.startswith(base.path):
        return link
    if not parts.scheme and not parts.netloc and link.startswith("/") and not link.startswith("//"):
        return link
    raise ServiceError("invalid", _("The link must lie under the application's address %(base)s.") % {"base": system.base_url},
                       {"link": [_("Not an address of this application.")]})


def _external_id(external_id: str) -> str:
    if not 1 <= len(external_id) <= 100:
        raise ServiceError("invalid", _("The to-do's id must have 1 to 100 characters."), {"external_id": [_("1 to 100 characters.")]})
    return external_id


def external_entry(system: IntegratedSystem, external_id: str) -> Entry:
    entry = Entry.objects.select_related("user").filter(kind=EXTERNAL, object_id=f"{system.code}:{external_id}").first()
    if entry is None:
        raise NotFound("not_found", _("There is no such to-do."))
    return entry


def push_todo(*, system: IntegratedSystem, external_id: str, username: str, title: str, link: str,
              urgency: str = Entry.Urgency.NORMAL, due_at: datetime | None = None, sender_name: str = "") -> tuple[Entry, bool]:
    """Create or update the system's to-do ``external_id`` for one person; pushing it again changes nothing twice."""
    _require_scope(system, IntegratedSystem.Scope.TODOS)
    _external_id(external_id)
    user = _recipient(username)
    if not title.strip():
        raise ServiceError("invalid", _("A title is required."), {"title": [_("This field is required.")]})
    object_id = f"{system.code}:{external_id}"
    with transaction.atomic():
        existing = Entry.objects.select_for_update().filter(kind=EXTERNAL, object_id=object_id).first()
        todo = Todo(user_id=user.pk, title=title.strip()[:300], link=_checked_link(system, link), urgency=urgency, due_at=due_at,
                    sender_name=sender_name[:100] or system.name,
                    created_at=existing.created_at if existing and existing.user_id == user.pk else timezone.now())
        unchanged = existing is not None and existing.user_id == user.pk and all(
            getattr(existing, name) == value for name, value in todo.values().items() if name != "created_at")
        if not unchanged:
            write({(EXTERNAL, object_id): Put(system.code, [todo], system.pk)})
            audit.record("todo.external_" + ("updated" if existing else "created"), actor_name=f"app:{system.code}",
                         object_type="todo.entry", object_id=object_id[:64], object_repr=todo.title, detail=f"{external_id} → {username}")
    return external_entry(system, external_id), existing is None


def complete_todo(*, system: IntegratedSystem, external_id: str) -> Entry:
    """The outside system says the work is done: the entry moves to 已办."""
    _require_scope(system, IntegratedSystem.Scope.TODOS)
    with transaction.atomic():
        entry = external_entry(system, external_id)
        if entry.tab != Entry.Tab.DONE:
            done = Todo(**{name: getattr(entry, name) for name in FIELDS}, user_id=entry.user_id)
            done.tab, done.state, done.completed_at, done.actions = Entry.Tab.DONE, Entry.State.CLOSED, timezone.now(), ()
            write({(EXTERNAL, entry.object_id): Put(system.code, [done], system.pk)})
            audit.record("todo.external_done", obj=entry, actor_name=f"app:{system.code}", detail=external_id)
    return external_entry(system, external_id)


def delete_todo(*, system: IntegratedSystem, external_id: str) -> None:
    """The outside system withdraws the to-do: it leaves every list."""
    _require_scope(system, IntegratedSystem.Scope.TODOS)
    with transaction.atomic():
        entry = external_entry(system, external_id)
        audit.record("todo.external_deleted", obj=entry, actor_name=f"app:{system.code}", detail=external_id)
        write({(EXTERNAL, entry.object_id): Put(system.code, [], system.pk)})


def push_notice(*, system: IntegratedSystem, external_id: str, usernames: list[str], title: str, body: str = "", link: str = "",
                priority: str = "normal") -> tuple[Notice, bool]:
    """Send a notice through the message center, once per ``external_id`` however often it is pushed.

    The notice's link follows the message center's rule (a path inside the platform): a notice
    never sends people to another site.
    """
    _require_scope(system, IntegratedSystem.Scope.NOTICES)
    _external_id(external_id)
    people = [_recipient(username) for username in dict.fromkeys(usernames)]
    if not people:
        raise ServiceError("invalid", _("Name at least one person."), {"usernames": [_("This field is required.")]})
    target = f"{system.code}:{external_id}"
    with transaction.atomic():
        # One push of a system at a time, so a retry racing the original still sends once.
        IntegratedSystem.objects.select_for_update().filter(pk=system.pk).first()
        existing = Notice.objects.filter(app=system.code, target=target).first()
        if existing is not None:
            return existing, False
        notice = notices.notify(sender=None, to=people, title=title, body=body, link=link, category=SYSTEM, priority=priority,
                                app=system.code, target=target)
        audit.record("todo.external_notice", obj=notice, actor_name=f"app:{system.code}", detail=f"{external_id} → {len(people)}")
    return notice, True
