"""The inventory: every URL pattern, API operation and WebSocket route has a row in the permission matrix.

A new endpoint without a row fails here, so nobody can add one that lets everybody in unnoticed.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.http import HttpResponse
from django.urls import Resolver404, get_resolver, path

from zhengtong.testing.inventory import Endpoint, covered, endpoints, websocket_routes
from zhengtong.testing.matrix import World, all_rows, all_socket_rows


def reached(world: World) -> tuple[set[Endpoint], list[str]]:
    """The endpoints the rows reach, and the rows that reach none (stale: their endpoint is gone)."""
    found, stale = set(), []
    for row in all_rows():
        try:
            found.add(covered(row.method, row.concrete_url(world)))
        except Resolver404:
            stale.append(row.id)
    return found, stale


def without_rows(world: World, patterns: list[Any]) -> list[str]:
    found, _stale = reached(world)
    return sorted(str(endpoint) for endpoint in endpoints(patterns) - found)


def test_every_endpoint_has_a_row(world: World, db: Any) -> None:
    missing = without_rows(world, get_resolver().url_patterns)
    assert not missing, f"{len(missing)} endpoints have no row in the permission matrix (add them to <app>/tests/matrix.py):\n" + \
        "\n".join(missing)


def test_every_row_reaches_an_endpoint(world: World, db: Any) -> None:
    found, stale = reached(world)
    stale += sorted(str(endpoint) for endpoint in found - endpoints())  # a method the operation does not have
    assert not stale, "rows for endpoints that do not exist:\n" + "\n".join(stale)


def test_every_websocket_route_has_a_row() -> None:
    rows = {row.path.lstrip("/") for row in all_socket_rows()}
    assert websocket_routes() <= rows, f"WebSocket routes without a row: {sorted(websocket_routes() - rows)}"
    assert rows <= websocket_routes(), f"socket rows for routes that do not exist: {sorted(rows - websocket_routes())}"


def _report(request: Any) -> HttpResponse:
    return HttpResponse("everyone's salaries")


@pytest.mark.parametrize("unlisted", [path("reports/salaries/", _report), path("api/reports/<int:pk>", _report)])
def test_an_endpoint_added_without_a_row_is_reported(world: World, db: Any, unlisted: Any) -> None:
    before = set(without_rows(world, get_resolver().url_patterns))
    assert set(without_rows(world, [*get_resolver().url_patterns, unlisted])) - before == {f"ANY /{unlisted.pattern}"}


def test_the_inventory_counts_every_kind_of_endpoint() -> None:
    found = endpoints()
    api = {endpoint for endpoint in found if endpoint.route.startswith("api/") and endpoint.method != "ANY"}
    back_office = {endpoint for endpoint in found if endpoint.route.startswith("admin/")}
    pages = found - api - back_office
    from zhengtong.api import api as ninja

    operations = {(method.upper(), route) for route, ops in ninja.get_openapi_schema()["paths"].items() for method in ops}
    assert len(api) == len(operations) > 100  # every operation of the published API, each method apart
    assert len(back_office) > 100 and len(pages) > 80
    assert websocket_routes() == {"ws/events/"}
