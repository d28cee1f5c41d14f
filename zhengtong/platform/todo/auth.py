"""The integrated systems' bearer token (``Authorization: Bearer zta_<prefix>_<secret>``).

Used on the external router only: an application acts for its own to-dos, never as a person.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from zhengtong.platform.todo import services


class ApplicationToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return services.authenticate_system(token)
