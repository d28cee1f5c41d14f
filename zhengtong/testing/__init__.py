"""Test helpers: the permission matrix every new endpoint gets (NetBox's pattern)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from django.test import Client


def call(client: Client, method: str, url: str, data: Any = None) -> Any:
    if method.upper() == "GET":
        return client.get(url, data or {})
    if isinstance(data, dict) and url.startswith("/api/"):
        return client.generic(method.upper(), url, json.dumps(data), content_type="application/json")
    return client.generic(method.upper(), url, data or "")


def assert_access_matrix(
    make_client: Callable[[Any], Client],
    method: str,
    url: str,
    *,
    allowed: Iterable[Any] = (),
    denied: Iterable[Any] = (),
    hidden: Iterable[Any] = (),
    data: Any = None,
    allowed_status: int = 200,
) -> None:
    """Anonymous is refused (sign-in redirect or 401), ``denied`` get 403, ``hidden`` get 404.

    ``allowed`` people get ``allowed_status``. Clients come from ``make_client(user)``.
    """
    response = call(make_client(None), method, url, data)
    if url.startswith("/api/"):
        assert response.status_code == 401, f"anonymous {method} {url}: {response.status_code}"
    else:
        assert response.status_code in (302, 401, 403), f"anonymous {method} {url}: {response.status_code}"
        if response.status_code == 302:
            assert "/accounts/sign-in/" in response["Location"]
    for user in denied:
        response = call(make_client(user), method, url, data)
        assert response.status_code == 403, f"{user} {method} {url}: {response.status_code}, expected 403"
    for user in hidden:
        response = call(make_client(user), method, url, data)
        assert response.status_code == 404, f"{user} {method} {url}: {response.status_code}, expected 404"
    for user in allowed:
        response = call(make_client(user), method, url, data)
        assert response.status_code == allowed_status, f"{user} {method} {url}: {response.status_code}, expected {allowed_status}"
