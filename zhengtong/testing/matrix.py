"""The permission matrix: every endpoint, tried by every persona, against objects owned by someone else.

Each installed app keeps its rows in ``<app>/tests/matrix.py``: ``ROWS`` (a list of :class:`Row`)
and, when its endpoints need objects, ``build(world)`` adding them to the shared :class:`World`.
The inventory (``tests/matrix/test_inventory.py``) enumerates every URL pattern, API operation
and WebSocket route at test time and fails on any that no row covers, so a new endpoint without
a row fails CI. Each row says what each persona gets; the run (``tests/matrix/test_permission_matrix.py``)
sends the request as each of them, each in a transaction rolled back afterwards, and checks:

- the status each persona was promised (``IN`` for anonymous: the sign-in page or 401);
- a refused or invalid request (any 4xx) wrote no row but audit and session book-keeping, and
  audited no success;
- no response carries a secret (a marker in an object's title) its reader may not see;
- whatever the row's own ``check`` asserts (counts, list contents).
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import wraps
from http.cookies import SimpleCookie
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpResponse
from django.shortcuts import resolve_url
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

PERSONAS = ("anonymous", "outsider", "clerk", "head", "registrar", "sysadmin", "secadmin", "auditor", "author")
"""Who tries every endpoint. ``author`` owns the world's business objects (in the clerk's
department, whose head is ``head``); ``registrar`` keeps the unit's registry (文书); ``outsider``
works in another unit; the three administrators hold no business role."""

IN = "sign-in"
"""Anonymous is sent to sign in: a redirect to the sign-in page for a page, 401 for the API."""

Outcome = int | str

# Rows a refused request may still write: the audit trail and who-is-signed-in book-keeping.
BOOKKEEPING_TABLES = frozenset({
    "audit_auditrecord",  # the refusal itself is audited (access.denied)
    "django_session",  # a session's idle timer moves on every request
    "accounts_usersession",  # the device list's "last seen"
    "accounts_apitoken",  # a token's "last used"
})
WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+[`"]?(\w+)', re.IGNORECASE)


def expect(default: Outcome = 200, *, anonymous: Outcome = IN, **people: Outcome) -> dict[str, Outcome]:
    """What each persona gets: ``default`` for every signed-in persona not named."""
    unknown = set(people) - set(PERSONAS)
    if unknown:
        raise ValueError(f"no such persona: {sorted(unknown)}")
    return {persona: people.get(persona, anonymous if persona == "anonymous" else default) for persona in PERSONAS}


ANY_SIGNED_IN = expect(200)


def only(*personas: str, status: Outcome = 200, others: Outcome = 403) -> dict[str, Outcome]:
    """``personas`` get ``status``, every other signed-in persona ``others``."""
    return expect(others, **dict.fromkeys(personas, status))


Check = Callable[[Any, str, HttpResponse], None]


def answered(check: Check) -> Check:
    """A row's ``check`` run on answered requests only (2xx): a refusal has no list or count to check."""

    @wraps(check)
    def checked(world: Any, persona: str, response: HttpResponse) -> None:
        if 200 <= response.status_code < 300:
            check(world, persona, response)

    return checked


@dataclass(frozen=True)
class Row:
    """One endpoint and what each persona gets from it.

    ``expect`` may be a callable of the world where the outcome depends on what the world holds.
    ``url`` is formatted with the world (``"/api/documents/{w.draft.pk}"``); ``data`` is the body
    an allowed persona sends (a mapping, or a callable of the world for files and fresh values):
    JSON for the API, a form for a page (the CSRF token is added), ``multipart`` for uploads.
    ``check(world, persona, response)``
    asserts more than the status.
    """

    method: str
    url: str
    expect: Mapping[str, Outcome] | Callable[[Any], Mapping[str, Outcome]]
    data: Any = None
    check: Callable[[Any, str, HttpResponse], None] | None = None
    multipart: bool = False
    browser: bool = False  # an API call from the signed-in browser (session and CSRF header), not a token
    # Who may receive every secret here: the audit trail names every object it records, and the
    # audit administrator reads the whole trail (三权分立: they see the names, never the business).
    sees_every_name: frozenset[str] = frozenset()

    @property
    def id(self) -> str:
        return f"{self.method} {self.url}"

    def concrete_url(self, world: World) -> str:
        return self.url.format(w=world)

    def body(self, world: World) -> Any:
        return self.data(world) if callable(self.data) else self.data

    def promised(self, world: World) -> Mapping[str, Outcome]:
        return self.expect(world) if callable(self.expect) else self.expect

    @property
    def is_api(self) -> bool:
        return self.url.startswith("/api/")


@dataclass(frozen=True)
class SocketRow:
    """A WebSocket route and what each persona meets there: ``ACCEPTED`` (greeted as themselves) or ``IN``."""

    path: str
    expect: Mapping[str, Outcome]

    @property
    def id(self) -> str:
        return f"WS {self.path}"


ACCEPTED = "accepted"


class World(SimpleNamespace):
    """The people and objects every row is tried against; apps add theirs in ``build(world)``."""

    def __init__(self) -> None:
        super().__init__()
        self.people: dict[str, Any] = {}  # persona → user
        self.others: dict[str, Any] = {}  # everyone by username, personas included
        self.secrets: dict[str, frozenset[str]] = {}
        self.devices: dict[str, Any] = {}  # persona → their browser session (UserSession)
        self.tokens: dict[str, Any] = {}  # persona → their API token (ApiToken)
        self._cookies: dict[str, SimpleCookie] = {}
        self._bearer: dict[str, str] = {}

    def secret(self, label: str, *, seen_by: set[str] | frozenset[str]) -> str:
        """A marker to put in an object's title: only ``seen_by`` may ever receive it."""
        unknown = set(seen_by) - set(PERSONAS)
        if unknown:
            raise ValueError(f"no such persona: {sorted(unknown)}")
        marker = f"ZTM{label.upper()}{secrets.token_hex(3).upper()}"
        self.secrets[marker] = frozenset(seen_by)
        return marker

    def bearer(self, persona: str) -> str:
        """``persona``'s API token as sent in the ``Authorization: Bearer`` header."""
        return self._bearer[persona]

    def client(self, persona: str, *, api: bool) -> Client:
        """A fresh client as ``persona``: a bearer token for the API, a signed-in browser for pages."""
        if api and persona != "anonymous":
            return Client(HTTP_AUTHORIZATION=f"Bearer {self.bearer(persona)}")
        client = Client(enforce_csrf_checks=True, HTTP_X_CSRFTOKEN=CSRF_SECRET)
        client.cookies[settings.CSRF_COOKIE_NAME] = CSRF_SECRET
        for name, morsel in self._cookies.get(persona, SimpleCookie()).items():
            client.cookies[name] = morsel.value
        return client

    def cookie_header(self, persona: str) -> bytes:
        """The browser's cookies, as a WebSocket handshake from that browser carries them."""
        return "; ".join(f"{name}={morsel.value}" for name, morsel in self._cookies.get(persona, SimpleCookie()).items()).encode()

    def sign_in(self, persona: str, user: Any) -> None:
        """Give ``persona`` a browser session (on their device list) and an API token, made once for every row."""
        from zhengtong.platform.accounts.models import UserSession
        from zhengtong.platform.accounts.services import create_token

        self.people[persona] = user
        browser = Client()
        browser.force_login(user)
        self._cookies[persona] = browser.cookies
        self.devices[persona] = UserSession.objects.create(user=user, session_key=browser.session.session_key or "",
                                                           source_ip="127.0.0.1", user_agent="matrix")
        name = self.secret(f"token{persona}", seen_by={persona, "sysadmin", "auditor"})
        self.tokens[persona], self._bearer[persona] = create_token(user=user, name=name, scopes=["read", "write"], days=1)


# An unmasked CSRF secret is a valid form token (Django 4.1+): the browser's cookie and form field.
CSRF_SECRET = "m" * 32


def send(client: Client, method: str, url: str, body: Any, *, api: bool, multipart: bool = False) -> Any:
    if method == "GET":
        return client.get(url, body or {})
    if api and not multipart:
        return client.generic(method, url, json.dumps(body) if body is not None else "", content_type="application/json")
    return client.post(url, {**(body or {}), "csrfmiddlewaretoken": CSRF_SECRET})


def content_of(response: HttpResponse) -> str:
    if getattr(response, "streaming", False):
        data = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    else:
        data = response.content
    return data.decode("utf-8", errors="replace")


def outcome_of(response: HttpResponse, *, api: bool) -> Outcome:
    if api and response.status_code == 401:
        return IN
    if not api and response.status_code == 302 and response["Location"].startswith(f"{resolve_url(settings.LOGIN_URL)}?next="):
        return IN
    return response.status_code


@dataclass
class Tried:
    persona: str
    outcome: Outcome
    writes: list[str]
    audited_success: list[str]
    leaked: list[str]


def attempt(world: World, row: Row, persona: str) -> tuple[Tried, HttpResponse]:
    """Send ``row`` as ``persona`` inside a transaction that is rolled back: every persona meets one world."""
    from zhengtong.platform.audit.models import AuditRecord
    from zhengtong.platform.audit.models import Outcome as AuditOutcome

    last_audit = AuditRecord.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    with transaction.atomic():
        client = world.client(persona, api=row.is_api and not row.browser)
        with CaptureQueriesContext(connection) as queries:
            response = send(client, row.method, row.concrete_url(world), row.body(world), api=row.is_api, multipart=row.multipart)
            if response.status_code == 302 and response["Location"].startswith(reverse("admin:login")):
                # The back office sends whoever may not use it to its own sign-in, which refuses a
                # signed-in person and sends anyone else to the platform's: what they meet is that.
                response = client.get(response["Location"])
        text = content_of(response)
        successes = list(AuditRecord.objects.filter(pk__gt=last_audit, outcome=AuditOutcome.SUCCESS)
                         .values_list("action", flat=True))
        transaction.set_rollback(True)
    writes = sorted({match.group(1).lower() for query in queries.captured_queries
                     if (match := WRITE.match(query["sql"]))} - BOOKKEEPING_TABLES)
    leaked = [] if persona in row.sees_every_name else [
        marker for marker, seen_by in world.secrets.items() if persona not in seen_by and marker in text]
    return Tried(persona, outcome_of(response, api=row.is_api), writes, successes, leaked), response


def refused(outcome: Outcome) -> bool:
    return outcome == IN or (isinstance(outcome, int) and 400 <= outcome < 500)


def run(world: World, row: Row) -> list[str]:
    """Every persona's attempt at ``row``; the problems found, one line each (empty: all as promised)."""
    problems = []
    promises = row.promised(world)
    for persona in PERSONAS:
        tried, response = attempt(world, row, persona)
        promised = promises[persona]
        if tried.outcome != promised:
            problems.append(f"{persona}: got {tried.outcome}, promised {promised}: {content_of(response)[:200]!r}")
        if refused(tried.outcome) and tried.writes:
            problems.append(f"{persona}: refused ({tried.outcome}) but wrote {tried.writes}")
        if refused(tried.outcome) and tried.audited_success:
            problems.append(f"{persona}: refused ({tried.outcome}) but audited success of {tried.audited_success}")
        if tried.leaked:
            problems.append(f"{persona}: received {tried.leaked}, secret from them")
        if row.check is not None and not problems:
            try:
                row.check(world, persona, response)
            except AssertionError as failure:
                problems.append(f"{persona}: {failure}")
    return problems


# --- The world ---------------------------------------------------------------------------

PASSWORD = "Zt-Matrix-Pass-2026!"


def person(world: World, username: str, display_name: str, *, roles: tuple[str, ...] = ("staff",), clearance: int = 1,
           department: Any = None, leader: bool = False) -> Any:
    from zhengtong.platform.access.models import Role
    from zhengtong.platform.access.services import assign_role
    from zhengtong.platform.accounts.services import create_user
    from zhengtong.platform.directory import services as directory

    user = create_user(acting_user=None, username=username, display_name=display_name, password=PASSWORD,
                       clearance=clearance, must_change_password=False)
    for code in roles:
        assign_role(acting_user=None, user=user, role=Role.objects.get(code=code))
    if department is not None:
        directory.add_membership(acting_user=None, user=user, department=department, is_leader=leader)
    world.others[username] = user
    return user


def build_world() -> World:
    """市水务局 with 局领导, 办公室 and 水资源处; 东区水务局 with its 办公室; then every app's objects.

    水资源处: ``head`` (its leader, 敏感 clearance), ``clerk`` and ``author`` (内部). 办公室: the
    ``registrar`` (the apps make them the unit's registry clerk) and its director 办公室主任. 局领导:
    张局长 (the unit's leader). 东区水务局 办公室: the ``outsider`` (内部 too: what keeps them out is
    the unit, not the clearance). A filler of each kind comes first so that no object the rows
    name has id 1.
    """
    from zhengtong.platform.directory import services as directory
    from zhengtong.platform.directory.models import Department

    world = World()
    filler_unit = directory.create_department(acting_user=None, name="筹备组", kind=Department.Kind.UNIT)
    person(world, "filler", "占位人", department=filler_unit)
    world.city = directory.create_department(acting_user=None, name="市水务局", kind=Department.Kind.UNIT)
    world.leadership = directory.create_department(acting_user=None, name="局领导", parent=world.city,
                                                   kind=Department.Kind.LEADERSHIP)
    world.office = directory.create_department(acting_user=None, name="办公室", parent=world.city)
    world.water = directory.create_department(acting_user=None, name="水资源处", parent=world.city)
    world.east = directory.create_department(acting_user=None, name="东区水务局", kind=Department.Kind.UNIT)
    world.east_office = directory.create_department(acting_user=None, name="办公室", parent=world.east)
    person(world, "director", "张局长", department=world.leadership, leader=True, clearance=2)
    person(world, "office_head", "办公室主任", department=world.office, leader=True)
    people = {
        "outsider": person(world, "outsider", "赵外单位", department=world.east_office),
        "clerk": person(world, "clerk", "王小明", department=world.water),
        "head": person(world, "head", "李处长", department=world.water, leader=True, clearance=2),
        "registrar": person(world, "registrar", "文书小刘", department=world.office),
        "sysadmin": person(world, "sysadmin", "系统管理员", roles=("system_admin",), clearance=0),
        "secadmin": person(world, "secadmin", "安全管理员", roles=("security_admin",), clearance=0),
        "auditor": person(world, "auditor", "审计管理员", roles=("audit_admin",), clearance=0),
        "author": person(world, "author", "拟稿人小王", department=world.water),
    }
    for persona, user in people.items():
        world.sign_in(persona, user)
    for module in app_matrices():
        if hasattr(module, "build"):
            module.build(world)
    return world


def app_matrices() -> list[Any]:
    """Each installed app's ``tests/matrix.py``, in ``INSTALLED_APPS`` order."""
    import importlib
    import importlib.util

    from django.apps import apps

    from zhengtong.platform import registry

    modules = []
    for entry in registry.current().installed:
        package = f"{apps.get_app_config(entry.label).name}.tests"
        if importlib.util.find_spec(package) and importlib.util.find_spec(name := f"{package}.matrix"):
            modules.append(importlib.import_module(name))
    return modules


def all_rows() -> list[Row]:
    return [row for module in app_matrices() for row in getattr(module, "ROWS", ())]


def all_socket_rows() -> list[SocketRow]:
    return [row for module in app_matrices() for row in getattr(module, "SOCKETS", ())]


async def knock(world: World, row: SocketRow, persona: str) -> Outcome:
    """Open ``row``'s socket as ``persona``'s browser, through the same authentication as the server's."""
    from asgiref.testing import ApplicationCommunicator
    from channels.auth import AuthMiddlewareStack
    from channels.routing import URLRouter

    from zhengtong.routing import websocket_urlpatterns

    scope = {"type": "websocket", "path": row.path, "query_string": b"", "headers": [(b"cookie", world.cookie_header(persona))]}
    socket = ApplicationCommunicator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns)), scope)
    await socket.send_input({"type": "websocket.connect"})
    reply = await socket.receive_output(5)
    if reply["type"] == "websocket.close":
        outcome: Outcome = IN if reply.get("code") == 4401 else f"closed {reply.get('code')}"
    else:
        hello = json.loads((await socket.receive_output(5))["text"])
        outcome = ACCEPTED if hello.get("user") == world.people[persona].username else f"greeted as {hello.get('user')}"
        await socket.send_input({"type": "websocket.disconnect", "code": 1000})
    await socket.wait(5)
    return outcome
