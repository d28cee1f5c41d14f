"""The person's own single sign-on: the systems they are signed in to, and signing out of one."""

from __future__ import annotations

from datetime import datetime

from ninja import Router, Schema, Status

from zhengtong.http import AuthenticatedHttpRequest
from zhengtong.platform.sso import services

router = Router(tags=["sso"])


class AuthorizationOut(Schema):
    client_id: str
    name: str
    signed_in_at: datetime


@router.get("/authorizations", response=list[AuthorizationOut], summary="The integrated systems I am signed in to")
def list_authorizations(request: AuthenticatedHttpRequest) -> list[AuthorizationOut]:
    return [AuthorizationOut(client_id=client.client_id, name=client.name, signed_in_at=created)
            for client, created in services.authorizations(request.user)]


@router.delete("/authorizations/{client_id}", response={204: None}, summary="Sign out of one integrated system")
def withdraw_authorization(request: AuthenticatedHttpRequest, client_id: str) -> Status:
    """Its tokens for me end now, and it asks for my consent again next time."""
    services.withdraw(user=request.user, client_id=client_id)
    return Status(204, None)
