"""What an app declares about itself: the one manifest in its ``apps.py``.

Everything an app plugs into the platform is named here — its pages and API, its tiles on the
应用 page, its permissions and access rules, its notice categories, the in-place actions on its
to-dos and notices, the handlers of its workflow steps, the processes it ships, the pages of
its records and its archive hand-over — and the platform's registry mounts it. Code is named
by dotted path (``"package.module:attribute"``) so that ``apps.py`` imports nothing at start-up;
the registry resolves the names once the models are loaded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise

Label = Promise | str


@dataclass(frozen=True)
class Tile:
    """An entry on the 应用 page, shown to people holding ``permission``."""

    key: str
    label: Label
    url_name: str
    icon: str
    permission: str
    # "business" tiles come first; "admin" ones are the administrators' consoles.
    group: str = "business"


@dataclass(frozen=True)
class InPlaceAction:
    """Something a person can do to one of the app's records straight from a list (待办, 消息).

    ``kind`` names the record type within the app (a to-do or notice target of kind
    ``<app>.<kind>``); ``handler(acting_user, object_id, comment)`` calls the app's own service,
    which makes its usual checks, and may return the message to show.
    """

    kind: str
    code: str
    label: Label
    handler: str
    # Safe in batch: the same decision with one comment means the same thing for every record.
    batch: bool = False
    comment_required: bool = False


@dataclass(frozen=True)
class Record:
    """One of an app's records as another app may show it to a person who may see it (``records``)."""

    title: str
    url: str
    # The people taking part in it who may see it (accounts), such as a document's drafter and the holders of its steps.
    participants: tuple[Any, ...] = ()


@dataclass(frozen=True)
class RecordLink:
    """A link an app offers on another app's record page (``record_links``), with an optional count."""

    label: Label
    url: str
    count: int = 0
    # A form posts to ``url`` (it creates something, such as a discussion group); else a plain link.
    post: bool = False


@dataclass(frozen=True)
class AppManifest:
    key: str
    label: Label
    icon: str = "apps"
    # Pages: the module of ``urlpatterns`` (with its ``app_name``), mounted at ``url_prefix``.
    urls: str = ""
    url_prefix: str = ""
    # The shell tab the app's pages belong to, and exceptions by URL name.
    tab: str = "apps"
    tab_of_page: dict[str, str] = field(default_factory=dict)
    # The JSON API: prefix under /api → "module:router".
    api: dict[str, str] = field(default_factory=dict)
    # WebSocket routes: path → "module:Consumer".
    websockets: dict[str, str] = field(default_factory=dict)
    tiles: tuple[Tile, ...] = ()
    # Permission code → label, added to the catalogue roles are built from.
    permissions: dict[str, Label] = field(default_factory=dict)
    # The module whose ``RULES`` maps an action to ``rule(user, obj) -> bool``.
    rules: str = ""
    # Notice category code → label.
    notice_categories: dict[str, Label] = field(default_factory=dict)
    # The kinds of to-do the app puts on people's lists → the notice category their arrival is sent in.
    todos: dict[str, str] = field(default_factory=dict)
    actions: tuple[InPlaceAction, ...] = ()
    # Handler name (as a BPMN step or process names it) → "module:attribute", a ``workflow.steps.Step``
    # (a class is instantiated once).
    step_handlers: dict[str, str] = field(default_factory=dict)
    # A folder of shipped process definitions (``<key>.bpmn`` + ``<key>.json``), relative to the app.
    processes: str = ""
    # Subject kind (the part of a process subject before the colon) → "module:function(object_id) -> url".
    subject_links: dict[str, str] = field(default_factory=dict)
    # "module:function(user) -> int": the count on the app's shell tab (an app that owns one, such as
    # the message center's 消息) or on its tile.
    badge: str = ""
    # "module:function(acting_user, object_id) -> package": what the app hands over for archiving.
    archive: str = ""
    # Background work: name → "module:function(now) -> int" (how much it did), run by the worker every
    # round beside the platform's jobs; safe to run in several workers at once and after a crash.
    jobs: dict[str, str] = field(default_factory=dict)
    # Record kind ("<app>.<kind>", as in subjects) → "module:function(user, object_id) -> Record | None": the
    # record's title, page and participants, or None when the person may not see it. Through it another
    # app builds on a record without importing its owner (chat's 事务群 on a 公文).
    records: dict[str, str] = field(default_factory=dict)
    # Name → "module:function(user, kind, object_id) -> RecordLink | None": a link the app offers on any
    # record's page (chat's discussion group); record pages render them with ``registry.record_links``.
    record_links: dict[str, str] = field(default_factory=dict)
