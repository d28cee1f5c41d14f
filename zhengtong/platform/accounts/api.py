from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from zhengtong.platform.access.policy import clearance_of, role_codes_of

router = Router(tags=["accounts"])


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    email: str
    roles: list[str]
    clearance: int
    mfa_enabled: bool


@router.get("/me", response=MeOut, summary="The signed-in person")
def me(request: HttpRequest) -> MeOut:
    user = request.user
    return MeOut(
        id=user.pk, username=user.username, display_name=user.display_name, email=user.email,
        roles=sorted(role_codes_of(user)), clearance=clearance_of(user), mfa_enabled=user.mfa_enabled,
    )
