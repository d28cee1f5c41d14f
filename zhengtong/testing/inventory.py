"""Every endpoint the project serves, enumerated at test time, and which of them the matrix rows cover.

An endpoint is a URL pattern (a page, a back-office page, a public page: any method) or, for the
API, a pattern and one HTTP method of an operation on it. A row covers the endpoint its URL
resolves to. WebSocket routes are listed apart: they are tried by the socket rows.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.urls import URLPattern, URLResolver, get_resolver, resolve
from ninja.operation import PathView


@dataclass(frozen=True, order=True)
class Endpoint:
    route: str  # as Django's ResolverMatch.route names it: "api/notices/<int:notice_id>/read"
    method: str = "ANY"  # the API's methods are apart; a page's view answers whatever it answers

    def __str__(self) -> str:
        return f"{self.method} /{self.route}"


def _path_view(view: Any) -> PathView | None:
    """The django-ninja path behind a view (its view function closes over it), else None."""
    if not inspect.isfunction(view):
        return None
    return next((value for value in inspect.getclosurevars(view).nonlocals.values() if isinstance(value, PathView)), None)


def _operations(pattern: URLPattern) -> list[str] | None:
    """The HTTP methods of a django-ninja path, else None."""
    path_view = _path_view(pattern.callback)
    if path_view is None:
        return None
    return sorted({method for operation in path_view.operations for method in operation.methods})


def _join(prefix: str, route: str) -> str:
    """A nested pattern's full route, joined as Django joins ``ResolverMatch.route`` (a regex's ``^`` dropped)."""
    return prefix + route.removeprefix("^") if prefix else route


def _walk(patterns: Iterable[URLPattern | URLResolver], prefix: str = "") -> Iterator[Endpoint]:
    for pattern in patterns:
        route = _join(prefix, str(pattern.pattern))
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, route)
        elif (methods := _operations(pattern)) is not None:
            yield from (Endpoint(route, method) for method in methods)
        else:
            yield Endpoint(route)


def endpoints(patterns: Iterable[URLPattern | URLResolver] | None = None) -> set[Endpoint]:
    return set(_walk(get_resolver().url_patterns if patterns is None else patterns))


def covered(method: str, url: str, urlconf: str | None = None) -> Endpoint:
    """The endpoint a request of ``method`` to ``url`` reaches."""
    match = resolve(urlsplit(url).path, urlconf)
    return Endpoint(match.route, method if _path_view(match.func) is not None else "ANY")


def websocket_routes() -> set[str]:
    from zhengtong.routing import websocket_urlpatterns

    return {str(pattern.pattern) for pattern in websocket_urlpatterns}
