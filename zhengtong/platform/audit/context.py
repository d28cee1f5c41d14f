"""Who is acting and from where, for the audit records written during one request."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    source_ip: str = ""
    user_agent: str = ""


# RequestContext is frozen, so one shared default cannot be changed under anyone.
current: ContextVar[RequestContext] = ContextVar("zt_audit_request", default=RequestContext())  # noqa: B039
