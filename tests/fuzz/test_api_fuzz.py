"""Property-based fuzzing of the whole API over its committed OpenAPI document (schemathesis).

Every operation of ``docs/api/openapi.json`` is sent generated requests, valid and invalid
(``generation.mode = all``), in-process through the WSGI application, as the clerk and as the
system administrator, and with no credentials at all. Path ids are drawn half the time from the
real objects of the permission matrix's world (the ids its rows use), so a good share of cases
reach the code behind the 404. Every answer must be: no 5xx; a status the document declares,
with its content type and a body valid against its schema; and for any 4xx the platform's one
error shape. Each request runs in a savepoint rolled back afterwards: every case meets the world
as built. Bounded and derandomized, so CI runs the same cases every time.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.urls import Resolver404, resolve
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance, status_code_conformance

from zhengtong.testing.matrix import World, all_rows
from zhengtong.wsgi import application

OPENAPI = Path(__file__).resolve().parents[2] / "docs" / "api" / "openapi.json"
SIGNED_IN = ("clerk", "sysadmin")
ERROR_KEYS = {"error", "message", "fields"}
PLACEHOLDER = re.compile(r"\{(\w+)\}")  # an OpenAPI path parameter
ROUTE_PARAMETER = re.compile(r"<[^>]+>")  # the same in a Django route
ID_ALIASES = {"person_id": "user"}
CONFIG = {
    "generation": {"mode": "all", "with-security-parameters": False},
    # The document's own examples are few; coverage's exhaustive boundary cases would not fit the budget.
    "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
}
BOUNDED = {"derandomize": True, "database": None, "deadline": None, "phases": [Phase.explicit, Phase.generate],
           "suppress_health_check": list(HealthCheck)}


@schemathesis.check
def one_error_shape(ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case) -> None:
    """Every 4xx is ``{"error": code, "message": text, "fields": {name: [text, …]}}``, with a message for people."""
    if not 400 <= response.status_code < 500:
        return
    try:
        body = response.json()
    except ValueError as exc:
        raise AssertionError(f"{response.status_code} is not JSON: {response.text[:200]!r}") from exc
    assert isinstance(body, dict) and set(body) == ERROR_KEYS, f"{response.status_code} body is not the error shape: {body!r}"
    assert isinstance(body["error"], str) and body["error"], f"no error code: {body!r}"
    assert isinstance(body["message"], str) and body["message"].strip(), f"no message for people: {body!r}"
    fields = body["fields"]
    assert isinstance(fields, dict) and all(
        isinstance(messages, list) and messages and all(isinstance(text, str) and text for text in messages)
        for messages in fields.values()
    ), f"fields are not {{name: [message, …]}}: {body!r}"


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance, one_error_shape]


def ids_in_the_world(path: str, parameter: str) -> list[int]:
    """The ids a ``<thing>_id`` parameter may take: the rows of the models named ``…<thing>`` (``item_id`` → WorkItem),
    of the path's own app where it has one."""
    from django.apps import apps

    thing = ID_ALIASES.get(parameter, parameter.removesuffix("_id"))
    if thing == parameter:
        return []
    models = [model for model in apps.get_models() if model._meta.model_name.endswith(thing)]
    app = path.split("/")[2]
    models = [model for model in models if model._meta.app_label == app] or models
    return sorted({pk for model in models for pk in model._default_manager.order_by("pk").values_list("pk", flat=True)[:20]})


def real_path_parameters(world: World, document: Any) -> dict[str, dict[str, list[Any]]]:
    """For each path of the document, real values of its parameters: the world's ids in the database, and what the
    permission matrix's rows put in its place (codes, formats, external ids)."""
    found: dict[str, dict[str, list[Any]]] = {}
    routes = {path: re.compile("^" + PLACEHOLDER.sub(r"(?P<\1>[^/]+)", path.replace(".", r"\.")) + "$")
              for path in document.raw_schema["paths"] if "{" in path}
    for path in routes:
        for parameter in PLACEHOLDER.findall(path):
            if ids := ids_in_the_world(path, parameter):
                found.setdefault(path, {})[parameter] = ids
    for row in all_rows():
        url = urlsplit(row.concrete_url(world)).path
        for path, route in routes.items():
            if row.is_api and (match := route.match(url)):
                for parameter, value in match.groupdict().items():
                    values = found.setdefault(path, {}).setdefault(parameter, [])
                    if (value := int(value) if value.isdigit() else value) not in values:
                        values.append(value)
    return found


schema = schemathesis.openapi.from_path(OPENAPI, config=schemathesis.Config.from_dict(CONFIG))
# Filled from the world when the module's first case runs, read by the hook below as cases are drawn.
REAL_PATH_PARAMETERS: dict[str, dict[str, list[Any]]] = {}


@schema.hook
def flatmap_path_parameters(context: schemathesis.HookContext, path_parameters: dict[str, Any] | None) -> Any:
    """Half the cases take the world's real values for the path parameters it knows, the rest what was generated."""
    generated = path_parameters or {}
    known = REAL_PATH_PARAMETERS.get(context.operation.path) if context.operation else None
    if not known:
        return st.just(path_parameters)
    real = st.fixed_dictionaries({parameter: st.sampled_from(values) for parameter, values in known.items()})
    return st.one_of(real.map(lambda values: {**generated, **values}), st.just(path_parameters))


@pytest.fixture(scope="module", autouse=True)
def fuzzed_world(world: World) -> Iterator[World]:
    """The world's real ids for the hook, and its connection kept across requests as Django's test client keeps it
    (the WSGI handler closes a connection inside a transaction at the end of each request)."""
    REAL_PATH_PARAMETERS.update(real_path_parameters(world, schema))
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield world
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
    REAL_PATH_PARAMETERS.clear()


def call(case: schemathesis.Case, persona: str, world: World) -> schemathesis.Response:
    """``case`` as ``persona``, checked, in a savepoint rolled back afterwards."""
    headers = {} if persona == "anonymous" else {"Authorization": f"Bearer {world.bearer(persona)}"}
    with transaction.atomic():
        response = case.call_and_validate(app=application, headers=headers, checks=CHECKS)
        transaction.set_rollback(True)
    return response


@schema.parametrize()
@settings(max_examples=6, **BOUNDED)
def test_every_operation_as_the_clerk_the_administrator_and_nobody(case: schemathesis.Case, fuzzed_world: World, db: Any) -> None:
    for persona in SIGNED_IN:
        call(case, persona, fuzzed_world)
    response = call(case, "anonymous", fuzzed_world)
    if case.operation.definition.raw.get("security") and addresses_its_operation(case):
        assert response.status_code == 401, f"{case.operation.label} answered {response.status_code} to nobody"


def addresses_its_operation(case: schemathesis.Case) -> bool:
    """Whether the case's URL reaches its own operation: a malformed id (``/sessions/-1.5``) matches no route
    and one that names a neighbour (``/sessions/end-others``) another; the URL decides those, not the caller."""
    try:
        match = resolve(case.formatted_path)
    except Resolver404:
        return False
    return PLACEHOLDER.sub("{}", case.path) == "/" + ROUTE_PARAMETER.sub("{}", match.route)
