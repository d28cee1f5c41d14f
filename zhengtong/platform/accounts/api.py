"""The person's own account over the API: who am I, my API tokens, my sessions."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from pydantic import BaseModel

from zhengtong.http import AuthenticatedHttpRequest
from zhengtong.platform.access.policy import clearance_of, role_codes_of
from zhengtong.platform.accounts import services
from zhengtong.platform.accounts.auth import ActiveSession
from zhengtong.platform.accounts.models import ApiToken, UserSession

router = Router(tags=["accounts"])


# Built from keyword arguments only, so without Schema's getter for ORM objects (a fifth of the
# cost of the busiest API call).
class MeOut(BaseModel):
    id: int
    username: str
    display_name: str
    email: str
    roles: list[str]
    clearance: int
    mfa_enabled: bool


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    scopes: list[str]
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    scopes: list[Literal["read", "write"]] = Field(min_length=1)
    days: int = Field(ge=1, description="Days until the token expires (at most ZT_API_TOKEN_MAX_DAYS).")


class TokenCreated(TokenOut):
    token: str = Field(description="The token itself. It is shown this once and never again.")


class SessionOut(Schema):
    id: int
    created_at: datetime
    last_seen_at: datetime
    source_ip: str
    user_agent: str
    current: bool = Field(description="True for the session making this request.")


class EndedOut(Schema):
    ended: int


@router.get("/me", response=MeOut, summary="The signed-in person")
def me(request: AuthenticatedHttpRequest) -> MeOut:
    user = request.user
    return MeOut(
        id=user.pk, username=user.username, display_name=user.display_name, email=user.email,
        roles=sorted(role_codes_of(user)), clearance=clearance_of(user), mfa_enabled=user.mfa_enabled,
    )


@router.get("/tokens", response=list[TokenOut], summary="My API tokens")
def list_tokens(request: AuthenticatedHttpRequest) -> list[ApiToken]:
    return list(request.user.api_tokens.all())


# Only a signed-in browser session mints tokens: a stolen token must not be able to
# prolong itself by creating fresh ones.
@router.post("/tokens", response={201: TokenCreated}, auth=ActiveSession(), summary="Create an API token (signed-in session only)")
def create_token(request: AuthenticatedHttpRequest, payload: TokenIn) -> Status[TokenCreated]:
    token, plaintext = services.create_token(user=request.user, name=payload.name, scopes=list(payload.scopes), days=payload.days)
    return Status(201, TokenCreated(**TokenOut.model_validate(token).model_dump(), token=plaintext))


@router.delete("/tokens/{int:token_id}", response={204: None}, summary="Revoke one of my API tokens")
def revoke_token(request: AuthenticatedHttpRequest, token_id: int) -> Status[None]:
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    services.revoke_token(acting_user=request.user, token=token)
    return Status(204, None)


def _current_session_key(request: HttpRequest) -> str | None:
    session = getattr(request, "session", None)
    return session.session_key if session is not None else None


@router.get("/sessions", response=list[SessionOut], summary="My signed-in sessions and devices")
def list_sessions(request: AuthenticatedHttpRequest) -> list[SessionOut]:
    current = _current_session_key(request)
    return [
        SessionOut(id=device.pk, created_at=device.created_at, last_seen_at=device.last_seen_at, source_ip=device.source_ip,
                   user_agent=device.user_agent, current=device.session_key == current)
        for device in request.user.device_sessions.all()
    ]


@router.delete("/sessions/{int:session_id}", response={204: None}, summary="End one of my sessions")
def end_session(request: AuthenticatedHttpRequest, session_id: int) -> Status[None]:
    device = get_object_or_404(UserSession, pk=session_id, user=request.user)
    services.end_session(acting_user=request.user, device=device)
    return Status(204, None)


@router.post("/sessions/end-others", response=EndedOut, summary="Sign out of every session but the one making this request")
def end_other_sessions(request: AuthenticatedHttpRequest) -> EndedOut:
    return EndedOut(ended=services.sign_out_other_devices(request))
