"""The only code that changes workbench entries and integrated applications.

Each operation runs in one transaction, writes its audit record and publishes a
``todo.changed`` event to the people whose lists changed, so that their devices refresh.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengtong.apps.workbench.models import Application, Entry
from zhengtong.errors import ServiceError
from zhengtong.platform.access import permissions as perms
from zhengtong.platform.access.policy import require
from zhengtong.platform.accounts.services import InsufficientScope
from zhengtong.platform.audit import services as audit
from zhengtong.platform.notices import services as notices
from zhengtong.platform.notices import stream
from zhengtong.platform.notices.categories import SYSTEM
from zhengtong.platform.notices.models import Notice

TODO_CHANGED = "todo.changed"
EXTERNAL = "external"
# The fields a source sets; the rest (ids, timestamps) the workbench keeps.
SOURCE_FIELDS = ("user_id", "title", "subtitle", "link", "sender_name", "on_behalf_of", "urgency", "classification", "tab", "state",
                 "due_at", "warn_at", "created_at", "completed_at")


@dataclass
class EntryData:
    """What a source says one entry should be."""

    source_id: str
    user_id: int
    title: str
    link: str
    tab: str
    state: str = Entry.State.OPEN
    subtitle: str = ""
    sender_name: str = ""
    on_behalf_of: str = ""
    urgency: str = Entry.Urgency.NORMAL
    classification: int = 0
    due_at: datetime | None = None
    warn_at: datetime | None = None
    created_at: datetime = field(default_factory=timezone.now)
    completed_at: datetime | None = None


def _announce(user_ids: Iterable[int], app: str) -> None:
    users = sorted(set(user_ids))
    if users:
        stream.publish(users, TODO_CHANGED, {"app": app})


# --- Mirroring our own apps ---------------------------------------------------------------


@dataclass
class Part:
    """The entries of one source kind within ``scope`` (ids that may have entries) should be exactly ``wanted``.

    ``scope_prefix``: also every entry whose id starts with it — for a source that gives one object
    an entry per person (``"<object>:<person>"``) and cannot list who had one before.
    """

    source_kind: str
    scope: set[str]
    wanted: list[EntryData]
    scope_prefix: str = ""


def mirror(*, app: str, parts: list[Part]) -> set[int]:
    """Bring the entries of ``parts`` in step with their source; returns the people affected.

    Sources call this with everything they know about one object (e.g. one process), so it is
    idempotent and self-healing: a lost event is repaired by the next one about the same object.
    The source's own action is what is audited; mirroring it is not a second change.
    """
    now = timezone.now()
    affected: set[int] = set()
    with transaction.atomic():
        for part in parts:
            scope = Q(source_id__in=part.scope | {data.source_id for data in part.wanted})
            if part.scope_prefix:
                scope |= Q(source_id__startswith=part.scope_prefix)
            existing = {entry.source_id: entry for entry in
                        Entry.objects.select_for_update().filter(scope, source_kind=part.source_kind, app=app)}
            for data in part.wanted:
                values = {name: getattr(data, name) for name in SOURCE_FIELDS}
                entry = existing.pop(data.source_id, None)
                if entry is None:
                    Entry.objects.create(app=app, source_kind=part.source_kind, source_id=data.source_id, updated_at=now, **values)
                    affected.add(data.user_id)
                elif any(getattr(entry, name) != value for name, value in values.items()):
                    affected |= {entry.user_id, data.user_id}
                    for name, value in values.items():
                        setattr(entry, name, value)
                    entry.updated_at = now
                    entry.save()
            if existing:
                Entry.objects.filter(pk__in=[entry.pk for entry in existing.values()]).delete()
                affected |= {entry.user_id for entry in existing.values()}
        _announce(affected, app)
    return affected


# --- Integrated applications ---------------------------------------------------------------


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


_DUMMY_DIGEST = _digest("zta-no-such-application")


def create_application(*, acting_user: Any, name: str, code: str, base_url: str, scopes: list[str]) -> tuple[Application, str]:
    """Register an outside system; the returned token is stored only as a hash and shown once."""
    require(acting_user, perms.MANAGE_ACCOUNTS)
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = [_("A name is required.")]
    if not code or Application.objects.filter(code=code).exists():
        errors["code"] = [_("Choose a code no other application uses.")]
    if urlsplit(base_url).scheme not in ("http", "https") or not urlsplit(base_url).netloc:
        errors["base_url"] = [_("Give the application's http(s) address.")]
    if not scopes or any(scope not in Application.Scope.values for scope in scopes):
        errors["scopes"] = [_("Choose what the application may do.")]
    if errors:
        raise ServiceError("invalid", _("The application details are not valid."), errors)
    prefix, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    with transaction.atomic():
        application = Application.objects.create(name=name.strip(), code=code, base_url=base_url.rstrip("/"), prefix=prefix,
                                                 secret_hash=_digest(secret), scopes=sorted(set(scopes)), created_by=acting_user)
        audit.record("workbench.application_created", actor=acting_user, obj=application, changes={"scopes": [None, application.scopes]})
    return application, f"zta_{prefix}_{secret}"


def set_application_active(*, acting_user: Any, application: Application, active: bool) -> None:
    """Revoke (or restore) an application's access; its token stops working at once."""
    require(acting_user, perms.MANAGE_ACCOUNTS)
    with transaction.atomic():
        Application.objects.filter(pk=application.pk).update(is_active=active)
        application.is_active = active
        audit.record("workbench.application_" + ("activated" if active else "revoked"), actor=acting_user, obj=application)


def authenticate_application(presented: str) -> Application | None:
    """The active application behind ``zta_<prefix>_<secret>``; the comparison takes the same time either way."""
    parts = presented.split("_", 2)
    prefix, secret = (parts[1], parts[2]) if len(parts) == 3 and parts[0] == "zta" else ("", presented)
    application = Application.objects.filter(prefix=prefix).first() if prefix else None
    expected = application.secret_hash if application is not None else _DUMMY_DIGEST
    matches = hmac.compare_digest(expected, _digest(secret))
    if application is None or not matches or not application.is_active:
        return None
    now = timezone.now()
    if application.last_used_at is None or (now - application.last_used_at).total_seconds() > 60:
        Application.objects.filter(pk=application.pk).update(last_used_at=now)
    return application


def _require_scope(application: Application, scope: str) -> None:
    if scope not in application.scopes:
        raise InsufficientScope("insufficient_scope",
                                _("This application may not do this; it lacks the %(scope)s scope.") % {"scope": scope})


def _recipient(username: str) -> Any:
    user = get_user_model().objects.filter(username=username).first()
    if user is None or not user.is_active:
        raise ServiceError("unknown_user", _("There is no active person %(name)s.") % {"name": username},
                           {"username": [_("Unknown or disabled person.")]})
    return user


def _checked_link(application: Application, link: str) -> str:
    """A link into the application's own pages, or a path on this platform; nothing else opens from the list."""
    parts = urlsplit(link)
    base = urlsplit(application.base_url)
    if (parts.scheme, parts.netloc) == (base.scheme, base.netloc) and parts.path.startswith(base.path):
        return link
    if not parts.scheme and not parts.netloc and link.startswith("/") and not link.startswith("//"):
        return link
    raise ServiceError("invalid", _("The link must lie under the application's address %(base)s.") % {"base": application.base_url},
                       {"link": [_("Not an address of this application.")]})


def push_todo(*, application: Application, external_id: str, username: str, title: str, link: str,
              urgency: str = Entry.Urgency.NORMAL, due_at: datetime | None = None, sender_name: str = "") -> tuple[Entry, bool]:
    """Create or update the application's to-do ``external_id``; pushing it again changes nothing twice."""
    _require_scope(application, Application.Scope.TODOS)
    if not 1 <= len(external_id) <= 100:
        raise ServiceError("invalid", _("The to-do's id must have 1 to 100 characters."), {"external_id": [_("1 to 100 characters.")]})
    user = _recipient(username)
    if not title.strip():
        raise ServiceError("invalid", _("A title is required."), {"title": [_("This field is required.")]})
    values = {"user": user, "title": title.strip()[:300], "link": _checked_link(application, link), "urgency": urgency,
              "due_at": due_at, "sender_name": sender_name[:100] or application.name, "tab": Entry.Tab.TODO,
              "state": Entry.State.OPEN, "completed_at": None, "application": application}
    with transaction.atomic():
        entry = Entry.objects.select_for_update().filter(source_kind=EXTERNAL, app=application.code, source_id=external_id).first()
        previous_user = entry.user_id if entry else None
        if entry is not None and all(getattr(entry, name) == value for name, value in values.items()):
            return entry, False
        entry, created = Entry.objects.update_or_create(source_kind=EXTERNAL, app=application.code, source_id=external_id,
                                                        defaults={**values, "updated_at": timezone.now()})
        audit.record("workbench.external_todo_" + ("created" if created else "updated"), obj=entry,
                     actor_name=f"app:{application.code}", detail=f"{external_id} → {user.username}")
        _announce({user.pk, previous_user or user.pk}, application.code)
    return entry, created


def _external(application: Application, external_id: str) -> Entry:
    entry = Entry.objects.select_for_update().filter(source_kind=EXTERNAL, app=application.code, source_id=external_id).first()
    if entry is None:
        raise Http404
    return entry


def complete_todo(*, application: Application, external_id: str) -> Entry:
    """The outside system says the work is done: the entry moves to 已办."""
    _require_scope(application, Application.Scope.TODOS)
    with transaction.atomic():
        entry = _external(application, external_id)
        if entry.tab != Entry.Tab.DONE:
            entry.tab, entry.state, entry.completed_at = Entry.Tab.DONE, Entry.State.CLOSED, timezone.now()
            entry.updated_at = entry.completed_at
            entry.save()
            audit.record("workbench.external_todo_done", obj=entry, actor_name=f"app:{application.code}", detail=external_id)
            _announce([entry.user_id], application.code)
    return entry


def delete_todo(*, application: Application, external_id: str) -> None:
    """The outside system withdraws the to-do: it leaves every list."""
    _require_scope(application, Application.Scope.TODOS)
    with transaction.atomic():
        entry = _external(application, external_id)
        audit.record("workbench.external_todo_deleted", obj=entry, actor_name=f"app:{application.code}", detail=external_id)
        entry.delete()
        _announce([entry.user_id], application.code)



def push_notice(*, application: Application, external_id: str, usernames: list[str], title: str, body: str = "", link: str = "",
                priority: str = "normal") -> tuple[Notice, bool]:
    """Send a notice through the message center, once per ``external_id`` however often it is pushed.

    The notice's link follows the message center's rule (a path inside the platform): a notice
    never sends people to another site.
    """
    _require_scope(application, Application.Scope.NOTICES)
    if not 1 <= len(external_id) <= 100:
        raise ServiceError("invalid", _("The notice's id must have 1 to 100 characters."), {"external_id": [_("1 to 100 characters.")]})
    people = [_recipient(username) for username in dict.fromkeys(usernames)]
    if not people:
        raise ServiceError("invalid", _("Name at least one person."), {"usernames": [_("This field is required.")]})
    target = f"{application.code}:{external_id}"
    with transaction.atomic():
        # One push of an application at a time, so a retry racing the original still sends once.
        Application.objects.select_for_update().filter(pk=application.pk).first()
        existing = Notice.objects.filter(app=application.code, target=target).first()
        if existing is not None:
            return existing, False
        notice = notices.notify(sender=None, to=people, title=title, body=body, link=link, category=SYSTEM, priority=priority,
                                app=application.code, target=target)
        audit.record("workbench.external_notice", obj=notice, actor_name=f"app:{application.code}",
                     detail=f"{external_id} → {len(people)}")
    return notice, True
