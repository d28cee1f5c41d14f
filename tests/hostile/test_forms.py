"""Every page form, every field, sent missing, 10 MB, wrongly typed and hostile values (issue 11, part 4).

Each submission is refused with the form and its error (200) or a clear 4xx, never a 5xx; a
refused one writes nothing but the audit trail and session book-keeping and audits no success;
script and markup sent come back escaped, on the answer and on the page a success leads to;
control characters are refused by the one shared validator with its message.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from tests.hostile.forms import (
    CASES,
    FORMS,
    MARKUP,
    NOT_FUZZED,
    TEN_MB,
    WITHOUT_FIELDS,
    Case,
    Field,
    PageForm,
    baseline,
    page_post_views,
    read_form,
    resolves_to,
)
from zhengtong.platform.audit.models import AuditRecord
from zhengtong.platform.audit.models import Outcome as AuditOutcome
from zhengtong.testing.matrix import BOOKKEEPING_TABLES, CSRF_SECRET, WRITE, World, content_of

CONTROL_MESSAGE = "Remove the control characters (such as NUL or a text-direction override) from this text."


def test_every_post_view_is_listed() -> None:
    """A page form added without a row here fails: every POST view is fuzzed, a button, or named as not yet."""
    listed = set(FORMS) | WITHOUT_FIELDS | set(NOT_FUZZED)
    assert page_post_views() - listed == set(), "page views taking a POST with no row in tests/hostile/forms.py"
    assert listed - page_post_views() == set(), "rows in tests/hostile/forms.py for views that take no POST (or are gone)"
    assert set(FORMS) & (WITHOUT_FIELDS | set(NOT_FUZZED)) == set()


def test_the_table_names_the_view_each_form_posts_to(world: World, db: Any) -> None:
    wrong = {name: resolves_to(form.action_url(world)) for name, form in FORMS.items() if resolves_to(form.action_url(world)) != name}
    assert wrong == {}


def _fields(world: World, form: PageForm) -> list[Field]:
    page = world.client(form.persona, api=False).get(form.page_url(world))
    assert page.status_code == 200, f"{form.page_url(world)} as {form.persona}: {page.status_code}"
    return read_form(content_of(page), form.page_url(world), form.action_url(world))


@pytest.mark.parametrize(("form_name", "case"), [(name, case) for name in FORMS for case in CASES],
                         ids=[f"{name}-{case.name}" for name in FORMS for case in CASES])
def test_hostile_values_in_every_field_are_refused_or_harmless(world: World, form_name: str, case: Case, db: Any) -> None:
    form = FORMS[form_name]
    fields = _fields(world, form)
    assert fields, f"{form_name}: the form on {form.page_url(world)} has no fields (is it a button? list it in WITHOUT_FIELDS)"
    problems = [problem for field in fields for problem in _try(world, form, fields, field, case)]
    assert not problems, f"{form_name} ({form.action_url(world)}), {case.name}:\n" + "\n".join(problems)


def _must_refuse(field: Field, case: Case) -> bool:
    if case.always_refused:
        return True
    if case.value is None:
        return field.required
    if field.kind == "file":
        return False  # a string is no file: the field counts as left out
    if case.control:
        return field.kind not in {"boolean", "hidden"}  # a hidden field is the page's, not typed (e.g. sign-in's next)
    return not field.holds_any_text  # a number, a date or a choice cannot hold a script or a word


def _try(world: World, form: PageForm, fields: list[Field], field: Field, case: Case) -> list[str]:
    if field.kind == "file" and case.value is not None and not case.always_refused:
        return []
    data = {**baseline(fields), **form.fill(world)}
    if case.value is None:
        data.pop(field.name, None)
    else:
        data[field.name] = [case.value] if isinstance(field.value, list) else case.value
    client = world.client(form.persona, api=False)
    last_audit = AuditRecord.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    problems: list[str] = []
    where = f"{field.name} ({field.kind})"
    with transaction.atomic():
        with CaptureQueriesContext(connection) as queries:
            response = client.post(form.action_url(world), {**data, "csrfmiddlewaretoken": CSRF_SECRET})
        text = content_of(response)
        shown = [text]
        if response.status_code == 302:  # the page a success (or a refusal told by a flash message) leads to
            shown.append(content_of(client.get(response["Location"])))
        successes = list(AuditRecord.objects.filter(pk__gt=last_audit, outcome=AuditOutcome.SUCCESS).values_list("action", flat=True))
        transaction.set_rollback(True)
    writes = sorted({match.group(1).lower() for query in queries.captured_queries if (match := WRITE.match(query["sql"]))}
                    - BOOKKEEPING_TABLES - form.allowed_writes)
    if response.status_code >= 500:
        return [f"{where}: {response.status_code}"]
    refused = not writes and not successes
    if _must_refuse(field, case):
        if not refused:
            problems.append(f"{where}: accepted ({response.status_code}), wrote {writes}, audited {successes}")
        if response.status_code == 200 and "errorlist" not in text:
            problems.append(f"{where}: refused with 200 but no error on the form")
        if response.status_code >= 400 and response.status_code not in (400, 413):
            problems.append(f"{where}: refused with {response.status_code}")
    if case.control and field.is_text and response.status_code != 400:
        with translation.override(settings.LANGUAGE_CODE):
            message = str(translation.gettext(CONTROL_MESSAGE))
        if not any(message in page for page in shown):
            problems.append(f"{where}: no control-character message ({message!r})")
    for page in shown:
        for markup in MARKUP:
            if markup in page:
                problems.append(f"{where}: {markup!r} came back unescaped")
    return problems


def test_the_ten_megabyte_refusal_says_why(world: World, db: Any) -> None:
    form = FORMS["documents:create"]
    response = world.client(form.persona, api=False).post(form.action_url(world), {"title": TEN_MB, "csrfmiddlewaretoken": CSRF_SECRET})
    assert response.status_code == 413
    assert "提交的内容过大" in content_of(response)
    assert "1.0\xa0MB" in content_of(response)  # the limit, ZT_API_MAX_BODY_BYTES
