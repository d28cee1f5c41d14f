"""Sessions: the keys a signed-in session carries, signing out, ending sessions on other devices."""

from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.contrib import auth
from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from zhengtong.http import AuthenticatedHttpRequest
from zhengtong.platform.access import permissions as perms
from zhengtong.platform.access.policy import require
from zhengtong.platform.accounts.models import User, UserSession
from zhengtong.platform.accounts.signals import signed_out_everywhere
from zhengtong.platform.audit import services as audit

# Session keys (names, not secrets).
SESSION_STARTED = "_zt_started"
SESSION_LAST_SEEN = "_zt_last_seen"
PENDING_MFA_USER = "_zt_pending_mfa_user"
PENDING_MFA_AT = "_zt_pending_mfa_at"
MFA_ENROLMENT_REQUIRED = "_zt_mfa_enrolment_required"
PASSWORD_CHANGE_REQUIRED = "_zt_password_change_required"  # noqa: S105
MFA_PENDING_SECRET = "_zt_mfa_pending_secret"  # noqa: S105


def sign_out(request: HttpRequest) -> None:
    user = request.user
    if user.is_authenticated:
        UserSession.objects.filter(session_key=request.session.session_key or "").delete()
        audit.record("accounts.sign_out", actor=user, obj=user)
    auth.logout(request)


def expire_session(request: HttpRequest, reason: str) -> None:
    """End a session that passed its idle or absolute limit."""
    user = request.user
    if user.is_authenticated:
        UserSession.objects.filter(session_key=request.session.session_key or "").delete()
        audit.record("accounts.session_expired", actor=user, obj=user, detail=reason)
    auth.logout(request)


def _session_store() -> type[SessionBase]:
    store: type[SessionBase] = import_module(settings.SESSION_ENGINE).SessionStore
    return store


def end_sessions(user: User, keep_session_key: str | None = None) -> int:
    store = _session_store()
    devices = user.device_sessions.all()
    if keep_session_key:
        devices = devices.exclude(session_key=keep_session_key)
    keys = list(devices.values_list("session_key", flat=True))
    for key in keys:
        store(session_key=key).delete()
    devices.delete()
    return len(keys)


def rebind_device_session(request: HttpRequest, user: User, old_key: str | None) -> None:
    """update_session_auth_hash cycles the session key; keep the device row pointing at it."""
    new_key = request.session.session_key
    if old_key and new_key and old_key != new_key:
        UserSession.objects.filter(user=user, session_key=old_key).update(session_key=new_key)


def sign_out_everywhere(*, acting_user: User, user: User, request: HttpRequest | None = None) -> int:
    """End every session of ``user``: the person themselves, or an account administrator.

    Given the person's own ``request``, its session ends with the rest.
    """
    if acting_user.pk != user.pk:
        require(acting_user, perms.MANAGE_ACCOUNTS)
    with transaction.atomic():
        ended = end_sessions(user)
        signed_out_everywhere.send(sender=User, user=user, acting_user=acting_user)
        audit.record("accounts.signed_out_everywhere", actor=acting_user, obj=user, detail=f"{ended} sessions")
    if request is not None and request.user.pk == user.pk:
        # The stored session is gone already; this clears the one in hand so it is not saved back.
        auth.logout(request)
    return ended


def sign_out_other_devices(request: AuthenticatedHttpRequest) -> int:
    """End every session of the signed-in person except the one making this request."""
    user = request.user
    with transaction.atomic():
        ended = end_sessions(user, keep_session_key=request.session.session_key)
        audit.record("accounts.signed_out_other_devices", actor=user, obj=user, detail=f"{ended} sessions")
    return ended


def end_session(*, acting_user: User, device: UserSession) -> None:
    if acting_user.pk != device.user_id:
        require(acting_user, perms.MANAGE_ACCOUNTS)
    with transaction.atomic():
        _session_store()(session_key=device.session_key).delete()
        device.delete()
        audit.record("accounts.session_ended", actor=acting_user, obj=device.user, detail=device.source_ip)


def touch_session(request: HttpRequest) -> None:
    """Note activity, at most once a minute, for the idle timeout and "my sessions"."""
    now = timezone.now()
    last = float(request.session.get(SESSION_LAST_SEEN, 0))
    if now.timestamp() - last >= 60:
        request.session[SESSION_LAST_SEEN] = now.timestamp()
        UserSession.objects.filter(session_key=request.session.session_key or "").update(last_seen_at=now)

