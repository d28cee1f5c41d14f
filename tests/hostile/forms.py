"""Every page form, found on the page that shows it, and the hostile values each of its fields is sent.

A form is read from its page's HTML the way a browser reads it (names, input types, ``required``,
the options of a choice), so a field added to a form is fuzzed without a change here. What must
be listed is the form itself: :data:`FORMS` names, for every page URL pattern whose view takes a
POST, where its form is shown and who may send it; :data:`WITHOUT_FIELDS` the POSTs that are
buttons (nothing typed); :data:`NOT_FUZZED` those fuzzed elsewhere, each with where.
``test_every_post_view_is_listed`` fails on a POST view in none of them.
"""

from __future__ import annotations

import datetime as dt
import functools
import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import lxml.html
import pyotp
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.views.generic import RedirectView

from zhengtong.testing.matrix import CSRF_SECRET, PASSWORD, World, person

# --- What is sent ------------------------------------------------------------------------------

TEN_MB = "水" * (10 * 1024 * 1024 // 3)  # 10 MB of UTF-8
SCRIPT = "<script>window.__xss=1</script>"
ATTRIBUTE_BREAK = '"><img src=x onerror=window.__xss=1>'
SQL_TAUTOLOGY = "' OR 1=1 --"
SQL_DROP = "'; DROP TABLE x; --"
RTL_OVERRIDE = "gnp.\u202etxt"
NUL = "水务\x00局"

MARKUP = (SCRIPT, ATTRIBUTE_BREAK)
"""What must never come back unescaped."""


@dataclass(frozen=True)
class Case:
    """One hostile submission: ``value`` in place of the field's (None: the field left out)."""

    name: str
    value: str | None
    # Must the form refuse it, whatever the field? (Otherwise only a field that cannot hold it must.)
    always_refused: bool = False
    control: bool = False  # refused with the shared control-character message


CASES = (
    Case("missing", None),
    Case("10MB", TEN_MB, always_refused=True),
    Case("wrong_type", "不是数字也不是日期"),
    Case("script", SCRIPT),
    Case("attribute_break", ATTRIBUTE_BREAK),
    Case("sql_tautology", SQL_TAUTOLOGY),
    Case("sql_drop", SQL_DROP),
    Case("rtl_override", RTL_OVERRIDE, control=True),
    Case("nul", NUL, control=True),
)

# --- Which forms -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PageForm:
    """The form posted to ``action`` as it appears on ``page`` (both formatted with the world), sent as ``persona``.

    ``browser`` makes a client in a state the persona's is not in (a sign-in waiting for its
    second factor, two-factor on). ``filled``: values to send instead of the page's (callable of the world) where the page's own
    would be refused anyway (a sign-in's password), so that each hostile value meets a form that
    would otherwise go through. ``allowed_writes``: tables a refused submission may still write besides the audit trail and
    session book-keeping (a failed sign-in counts towards the lockout).
    """

    persona: str
    page: str
    action: str = ""  # "" when the form posts to its own page
    allowed_writes: frozenset[str] = frozenset()
    filled: Callable[[World], dict[str, Any]] | None = None
    browser: Callable[[World], Client] | None = None  # a browser of its own, instead of the persona's

    def client(self, world: World) -> Client:
        return self.browser(world) if self.browser else world.client(self.persona, api=False)

    def fill(self, world: World) -> dict[str, Any]:
        return self.filled(world) if self.filled else {}

    def page_url(self, world: World) -> str:
        return self.page.format(w=world)

    def action_url(self, world: World) -> str:
        return (self.action or self.page).format(w=world)


NEW_PASSWORD = "Zt-Hostile-Next-2026?"
def _waiting_for_code(world: World) -> Client:
    """A browser that gave the two-factor person's right password: the code page is next."""
    client = world.client("anonymous", api=False)
    response = client.post("/accounts/sign-in/", {"username": world.two_factor.username, "password": PASSWORD,
                                                  "csrfmiddlewaretoken": CSRF_SECRET})
    assert response["Location"].startswith("/accounts/sign-in/verify/"), response
    return client


def _with_two_factor(world: World) -> Client:
    """A browser signed in as the two-factor person, whose page offers new recovery codes and turning it off."""
    client = world.client("anonymous", api=False)
    client.force_login(world.two_factor)
    return client


THROTTLE = frozenset({"accounts_signinthrottle"})

FORMS: dict[str, PageForm] = {
    "accounts:login": PageForm("anonymous", "/accounts/sign-in/", allowed_writes=THROTTLE,
                               filled=lambda w: {"username": "author", "password": PASSWORD}),
    "accounts:verify": PageForm("anonymous", "/accounts/sign-in/verify/", allowed_writes=THROTTLE, browser=_waiting_for_code),
    "accounts:mfa_setup": PageForm("author", "/accounts/two-factor/"),
    "accounts:recovery_codes": PageForm("anonymous", "/accounts/two-factor/", "/accounts/two-factor/recovery-codes/",
                                        browser=_with_two_factor),
    "accounts:mfa_disable": PageForm("anonymous", "/accounts/two-factor/", "/accounts/two-factor/disable/", browser=_with_two_factor),
    "accounts:password_change": PageForm("author", "/accounts/password/", filled=lambda w: {
        "old_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}),
    "accounts:tokens": PageForm("author", "/accounts/tokens/"),
    "access:assign": PageForm("secadmin", "/security/people/{w.people[author].pk}/", "/security/people/{w.people[author].pk}/roles/"),
    "access:clearance": PageForm("secadmin", "/security/people/{w.people[author].pk}/",
                                 "/security/people/{w.people[author].pk}/clearance/"),
    "access:role_create": PageForm("secadmin", "/security/roles/new/"),
    "access:role_edit": PageForm("secadmin", "/security/roles/duty_officer/"),
    "access:levels": PageForm("secadmin", "/security/levels/"),
    "access:level_rename": PageForm("secadmin", "/security/levels/", "/security/levels/2/"),
    "directory:group_create": PageForm("sysadmin", "/directory/groups/new/"),
    "directory:group_member_add": PageForm("sysadmin", "/directory/groups/{w.hostile_group.pk}/",
                                           "/directory/groups/{w.hostile_group.pk}/members/"),
    "directory:restriction_add": PageForm("secadmin", "/directory/visibility/", "/directory/visibility/restrictions/"),
    "directory:confidential": PageForm("secadmin", "/directory/visibility/", "/directory/visibility/confidential/"),
    "workdays:day": PageForm("sysadmin", "/workdays/2026/", "/workdays/2026/day/"),
    "workdays:day_remove": PageForm("sysadmin", "/workdays/2026/?day=2026-12-07", "/workdays/2026/day/remove/"),
    "workdays:import": PageForm("sysadmin", "/workdays/2026/", "/workdays/2026/import/"),
    "workflow:start_form": PageForm("clerk", "/workflow/start/general_approval/"),
    "workflow:instance_action": PageForm("clerk", "/workflow/instances/{w.hostile_process.pk}/",
                                         "/workflow/instances/{w.hostile_process.pk}/remind/"),
    "workflow:item_action": PageForm("head", "/workflow/instances/{w.hostile_process.pk}/",
                                     "/workflow/items/{w.hostile_review.pk}/decide/"),
    "workflow:delegations": PageForm("clerk", "/workflow/delegations/"),
    "workflow:admin_upload": PageForm("head", "/workflow/admin/definitions/upload/"),
    "notices:compose": PageForm("head", "/notices/compose/"),
    "notices:preferences": PageForm("clerk", "/notices/preferences/"),
    "documents:create": PageForm("author", "/apps/documents/new/"),
    "documents:register": PageForm("registrar", "/apps/documents/register/"),
    "documents:edit": PageForm("author", "/apps/documents/{w.hostile_draft.pk}/edit/"),
    "documents:submit": PageForm("author", "/apps/documents/{w.hostile_draft.pk}/submit/"),
    "documents:cancel": PageForm("author", "/apps/documents/{w.hostile_draft.pk}/", "/apps/documents/{w.hostile_draft.pk}/cancel/"),
    # The head's 核稿 of the matrix world's document awaiting it: the step's decision form on the document page.
    "documents:detail": PageForm("head", "/apps/documents/{w.reviewing.pk}/"),
    "documents:circulate": PageForm("registrar", "/apps/documents/{w.incoming.pk}/", "/apps/documents/{w.incoming.pk}/circulate/"),
    "bulletins:create": PageForm("head", "/apps/bulletins/new/"),
    "chat:create": PageForm("author", "/apps/chat/new/"),
    "chat:send": PageForm("author", "/apps/chat/{w.chat_group.pk}/", "/apps/chat/{w.chat_group.pk}/send/"),
    "chat:add": PageForm("author", "/apps/chat/{w.chat_group.pk}/members/", "/apps/chat/{w.chat_group.pk}/members/add/"),
    "chat:rename": PageForm("author", "/apps/chat/{w.chat_group.pk}/members/", "/apps/chat/{w.chat_group.pk}/rename/"),
    "chat:bots": PageForm("author", "/apps/chat/{w.chat_group.pk}/members/", "/apps/chat/{w.chat_group.pk}/bots/"),
    "chat:department_off": PageForm("sysadmin", "/apps/chat/departments/", "/apps/chat/departments/{w.east_office.pk}/off/"),
}

WITHOUT_FIELDS = {
    "accounts:sign_out", "accounts:end_session", "accounts:sign_out_other_devices", "accounts:sign_out_everywhere",
    "accounts:revoke_token", "access:revoke", "access:grant_revoke", "audit:verify", "directory:contact_used",
    "directory:group_member_remove", "directory:restriction_delete", "workflow:delegation_revoke", "notices:open",
    "notices:action", "notices:read_all", "notices:remind", "notices:recall", "documents:receive", "documents:remind",
    "workbench:act", "workbench:batch", "chat:direct",
    # The members page's buttons (a person, a role, a mute flag in hidden fields), a record's 事务群 button, turning a department group on.
    "chat:remove", "chat:role", "chat:transfer", "chat:leave", "chat:mute", "chat:discuss", "chat:departments",
    # Single sign-on's consent and sign-out confirmation: 同意/拒绝 buttons over the request's hidden fields, which the
    # provider checks again on the POST (zhengtong/platform/sso/tests/test_flows.py tampers with them).
    "oauth2_provider:authorize", "oauth2_provider:rp-initiated-logout",
}
"""POSTs that are a button: nothing typed, so nothing to fuzz (the permission matrix tries them)."""

NOT_FUZZED = {
    "documents:upload": "uploads have their own hostile files (tests/hostile/test_uploads.py)",
    "chat:upload": "a file into a conversation goes through files.store: tests/hostile/test_uploads.py and the chat app's own tests",
    **dict.fromkeys(("oauth2_provider:token", "oauth2_provider:revoke-token", "oauth2_provider:introspect", "oauth2_provider:user-info"),
                    "OAuth 2.0 endpoints that programs post to (RFC 6749/7009/7662), parsed by oauthlib: "
                    "zhengtong/platform/sso/tests/test_flows.py sends them wrong codes, verifiers, secrets and tokens"),
}
"""POST views this harness leaves to another, and which."""


def build(world: World) -> None:
    """What the listed forms act on, beyond the permission matrix's world: a group, a draft, a calendar
    entry to remove, a person with two-factor on, a process at its department head's review, and
    the department head's right to broadcast and to manage processes (no built-in role has them)."""
    from zhengtong.apps.documents import services as documents
    from zhengtong.apps.documents.models import DocType
    from zhengtong.platform.access.models import Role
    from zhengtong.platform.access.services import assign_role
    from zhengtong.platform.accounts.services import enable_mfa
    from zhengtong.platform.directory import services as directory
    from zhengtong.platform.workdays import services as workdays
    from zhengtong.platform.workdays.models import DayKind
    from zhengtong.platform.workflow import services as workflow
    from zhengtong.platform.workflow.models import WorkItem

    publisher = Role.objects.create(code="hostile_publisher", name="通知与流程管理",
                                    permissions=["notices.broadcast", "workflow.manage"])
    assign_role(acting_user=None, user=world.people["head"], role=publisher)
    world.two_factor = person(world, "two_factor", "双因素用户", department=world.water)
    secret = pyotp.random_base32()
    enable_mfa(user=world.two_factor, secret=secret, code=pyotp.TOTP(secret).now())
    world.hostile_process = workflow.start(acting_user=world.people["clerk"], key="general_approval", title="购置防汛沙袋",
                                           data={"reason": "汛期将至，需购置沙袋", "amount": 3000})
    world.hostile_review = WorkItem.objects.get(instance=world.hostile_process, assignee=world.people["head"], state=WorkItem.State.OPEN)
    world.hostile_day = workdays.set_day(acting_user=world.people["sysadmin"], day=dt.date(2026, 12, 7), kind=DayKind.HOLIDAY,
                                         name="防汛调休")

    world.hostile_group = directory.create_group(acting_user=world.people["sysadmin"], name="防汛联络组")
    world.hostile_draft = documents.create_draft(acting_user=world.people["author"], doc_type=DocType.NOTICE, title="关于汛期值班的通知")


# --- Finding the POST views ----------------------------------------------------------------------


def _patterns(patterns: list[Any], namespace: str = "") -> Iterator[tuple[str, URLPattern]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}:{pattern.namespace}" if namespace and pattern.namespace else pattern.namespace or namespace
            yield from _patterns(pattern.url_patterns, inner)
        else:
            yield (f"{namespace}:{pattern.name}" if namespace else pattern.name or ""), pattern


def takes_post(view: Any) -> bool:
    """Whether a page view accepts a POST: a class view with ``post``, or a function whose code reads one."""
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        return hasattr(view_class, "post") and not issubclass(view_class, RedirectView)
    while isinstance(view, functools.partial):
        view = view.func
    source = inspect.getsource(inspect.unwrap(view))  # with its decorators: require_POST counts
    return "POST" in source or "request.FILES" in source


def page_post_views() -> set[str]:
    """The URL names of every page view (not the API, not the back office) that accepts a POST."""
    names = set()
    for name, pattern in _patterns(get_resolver().url_patterns):
        module = getattr(pattern.callback, "__module__", "")
        if module.startswith(("ninja", "django.contrib.admin", "django.views.i18n")):
            continue
        if takes_post(pattern.callback):
            names.add(name)
    return names


# --- Reading a form from its page ---------------------------------------------------------------

TEXT_INPUTS = {"text", "password", "email", "url", "search", "tel", "textarea"}
TYPED_INPUTS = {"number", "date", "datetime-local", "time", "month"}
CHOICE_INPUTS = {"select", "radio", "checkbox"}


@dataclass
class Field:
    name: str
    kind: str  # an input type, "textarea", "select", "checkbox" (a choice), "boolean" (one box), "file", "hidden"
    required: bool
    value: str | list[str] | None  # what a person would send as the form stands

    @property
    def is_text(self) -> bool:
        return self.kind in TEXT_INPUTS

    @property
    def holds_any_text(self) -> bool:
        """Whether any string is a possible value (a text field, a box that is only on or off, a hidden field)."""
        return self.is_text or self.kind in {"boolean", "hidden"}


_SAMPLE_BY_KIND = {"email": "wang@example.gov.cn", "url": "https://example.gov.cn/", "number": "1",
                   "date": dt.date(2026, 12, 4).isoformat(), "datetime-local": "2026-12-04T09:00", "time": "09:00",
                   "month": "2026-12"}


def _field_of(element: Any) -> Field | None:
    tag = element.tag
    kind = "textarea" if tag == "textarea" else "select" if tag == "select" else (element.get("type") or "text").lower()
    if kind in {"submit", "button", "reset", "image"}:
        return None
    required = element.get("required") is not None
    if tag == "textarea":
        return Field(element.get("name"), kind, required, element.text_content() or "水务测试正文")
    if tag == "select":
        options = element.xpath(".//option")
        chosen = [o.get("value", o.text_content()) for o in options if o.get("selected") is not None]
        if not chosen:
            chosen = [value for o in options if (value := o.get("value", o.text_content()))][:1]
        return Field(element.get("name"), kind, required, chosen if element.get("multiple") is not None else (chosen or [""])[0])
    if kind == "checkbox" and element.get("value") is None:
        return Field(element.get("name"), "boolean", required, "on" if element.get("checked") is not None else None)
    if kind in {"checkbox", "radio"}:
        value = element.get("value")
        return Field(element.get("name"), "checkbox", required, [value] if element.get("checked") is not None else [])
    if kind == "file":
        return Field(element.get("name"), kind, required, None)
    value = element.get("value") or ""
    if not value and kind in TEXT_INPUTS:
        value = "水务测试"
    return Field(element.get("name"), kind, required, value or _SAMPLE_BY_KIND.get(kind, ""))


def read_form(html: str, page_url: str, action_url: str) -> list[Field]:
    """The fields of the POST form on the page whose action is ``action_url``, merged by name."""
    document = lxml.html.fromstring(html)
    for form in document.xpath("//form"):
        if (form.get("method") or "get").lower() != "post":
            continue
        action = urlsplit(form.get("action") or page_url).path
        if action != urlsplit(action_url).path:
            continue
        fields: dict[str, Field] = {}
        for element in form.xpath(".//input | .//textarea | .//select"):
            name = element.get("name")
            if not name or name == "csrfmiddlewaretoken" or (found := _field_of(element)) is None:
                continue
            if name in fields and isinstance(fields[name].value, list) and isinstance(found.value, list):
                fields[name].value = [*fields[name].value, *found.value]  # checkboxes of one choice
                fields[name].required |= found.required
            elif name not in fields:
                fields[name] = found
        return list(fields.values())
    raise AssertionError(f"no POST form for {action_url} on {page_url}")


def baseline(fields: list[Field]) -> dict[str, Any]:
    """The submission a person would make leaving every field as the page filled it (a choice: its first option)."""
    data: dict[str, Any] = {}
    for field in fields:
        if field.kind == "checkbox" and not field.value:
            continue
        if field.value is not None:
            data[field.name] = field.value
    return data


def resolves_to(url: str) -> str:
    match = resolve(urlsplit(url).path)
    return f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name or ""
