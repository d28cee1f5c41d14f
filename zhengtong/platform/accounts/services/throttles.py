"""Failure counters that lock: sign-in per account name and per address, bearer tokens per address.

A counter counts failures over ``ZT_LOCKOUT_WINDOW_MINUTES``; at its threshold it locks for
``ZT_LOCKOUT_MINUTES`` and the lock is audited. Each count is its own transaction, so that it
survives the refusal it counts.

The database holds the counters and the locks. A lock is also kept in the cache (Redis when
configured, else the process's own) for the path that must stay one query, a bearer request
with a right token: :func:`seen_locked` reads only the cache; a failure reads the database.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from zhengtong.platform.accounts.models import SignInThrottle
from zhengtong.platform.audit import services as audit
from zhengtong.platform.audit.models import Outcome


def _cache_key(scope: str, key: str) -> str:
    return f"zt:lock:{scope}:{key}"


def _remember(throttle: SignInThrottle, now: datetime) -> None:
    if throttle.locked_until is not None:
        cache.set(_cache_key(throttle.scope, throttle.key), 1, timeout=max(1, int((throttle.locked_until - now).total_seconds())))


def is_locked(keys: Iterable[tuple[str, str]]) -> bool:
    """Whether any of the (scope, key) counters is locked now (read from the database)."""
    now = timezone.now()
    for scope, key in keys:
        throttle = SignInThrottle.objects.filter(scope=scope, key=key).first()
        if throttle is not None and throttle.is_locked(now):
            _remember(throttle, now)
            return True
    return False


def seen_locked(scope: str, key: str) -> bool:
    """Whether a lock of (scope, key) is known to the cache: no query; a lock made while the cache
    was away shows at the next failure, which reads the database."""
    return cache.get(_cache_key(scope, key)) is not None


def forget(throttle: SignInThrottle) -> None:
    """A lifted lock leaves the cache too."""
    cache.delete(_cache_key(throttle.scope, throttle.key))


def count_failure(counters: Iterable[tuple[str, str, int]], *, action: str, actor_name: str) -> None:
    """One more failure on each (scope, key, threshold) counter; a counter reaching its threshold
    locks and is audited as ``action``."""
    now = timezone.now()
    window = timedelta(minutes=settings.LOCKOUT_WINDOW_MINUTES)
    for scope, key, threshold in counters:
        with transaction.atomic():
            throttle, _created = SignInThrottle.objects.select_for_update().get_or_create(scope=scope, key=key)
            if throttle.window_started_at < now - window and not throttle.is_locked(now):
                throttle.failures = 0
                throttle.window_started_at = now
            throttle.failures = F("failures") + 1
            throttle.save(update_fields=["failures", "window_started_at"])
            throttle.refresh_from_db()
            if throttle.failures >= threshold and not throttle.is_locked(now):
                throttle.locked_until = now + timedelta(minutes=settings.LOCKOUT_MINUTES)
                throttle.save(update_fields=["locked_until"])
                _remember(throttle, now)
                audit.record(action, object_type="accounts.signinthrottle", object_id=str(throttle.pk),
                             object_repr=f"{scope}:{key}", outcome=Outcome.FAILURE, actor_name=actor_name[:150],
                             detail=f"{throttle.failures} failures")
