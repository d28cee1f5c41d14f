"""Errors that services raise and that pages and the API turn into clear messages.

The class says what the refusal means, and so its HTTP status, the same for the API and the
pages: bad input 422 (``ServiceError`` itself), ``NotFound`` 404, ``Forbidden`` 403,
``Conflict`` 409 (the request is fine, the state of things does not allow it now),
``TooManyAttempts`` 429 (a lock after repeated failures, until it runs out or is lifted).
"""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    """A request that cannot be carried out; nothing has been changed.

    ``code`` is stable for programs, ``message`` is for people (already translated), and
    ``fields`` names the inputs at fault.
    """

    status = 422

    def __init__(self, code: str, message: Any, fields: dict[str, Any] | None = None) -> None:
        super().__init__(str(message))
        self.code = code
        self.message = str(message)
        self.fields = fields or {}


class NotFound(ServiceError):
    status = 404


class Forbidden(ServiceError):
    status = 403


class Conflict(ServiceError):
    status = 409


class TooManyAttempts(ServiceError):
    status = 429
