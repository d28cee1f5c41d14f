"""Delivering the change feed to webhooks: signed POSTs, retried with backoff.

Each change writes one pending ``WebhookDelivery`` per interested webhook (``feed.emit``);
``deliver_due`` sends the ones that are due, run by ``manage.py deliver_webhooks --loop``.

- The body is the event as JSON (the same shape as ``GET /changes``). Headers:
  ``X-Zhengtong-Event`` (``person.disabled``), ``X-Zhengtong-Delivery`` (the delivery id:
  receivers use it to drop a repeat), ``X-Zhengtong-Timestamp`` (Unix seconds) and
  ``X-Zhengtong-Signature: sha256=<hex>``, the HMAC-SHA256 with the webhook's secret of
  ``<timestamp>.<raw body>``. A receiver recomputes it and refuses timestamps more than a
  few minutes old, so a captured request cannot be replayed later.
- 2xx within ``TIMEOUT`` seconds is success. Anything else is retried after 1, 2, 4 … minutes
  (capped at an hour); after ``MAX_ATTEMPTS`` the delivery is given up (state failed). Each
  attempt records its HTTP status or error on the delivery, which the back office lists.
- A worker claims one delivery at a time with a compare-and-set UPDATE that pushes its next
  attempt ``LEASE`` into the future; only one worker's UPDATE matches, on SQLite, PostgreSQL
  and MariaDB alike, and no database lock is held while the request is in flight. A worker
  that dies mid-request leaves the delivery to be retried when the lease runs out, so
  delivery is at least once (hence the delivery id), never twice at the same time.
- Only http(s) addresses, and none that resolve into private, loopback, link-local or
  otherwise non-public networks unless ``settings.WEBHOOK_ALLOW_PRIVATE``; the connection
  goes to the address that was checked, so a DNS answer cannot change between check and use.
  Redirects are not followed.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import socket
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengtong.errors import ServiceError
from zhengtong.platform.directory.models import ChangeEvent, WebhookDelivery
from zhengtong.platform.ledger import sequence

logger = logging.getLogger(__name__)

TIMEOUT = 5
MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=1)
LEASE = timedelta(minutes=1)
USER_AGENT = "Zhengtong-Webhooks/1"


def event_payload(event: ChangeEvent) -> dict[str, Any]:
    """One change as integrated systems see it, in webhook bodies and the change feed alike."""
    # "id" is the event's position in the feed, the cursor of ``GET /changes?since=``.
    return {"id": event.seq, "occurred_at": event.occurred_at.isoformat(), "entity": event.entity, "entity_id": event.entity_id,
            "external_id": event.external_id, "action": event.action, "data": event.data}


def sign(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def check_url(url: str) -> list[str]:
    """The addresses a webhook URL may be sent to; ``ServiceError`` for an address it may not use."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ServiceError("invalid", _("A webhook address must be an http or https URL."),
                           {"url": [_("Enter an http:// or https:// address.")]})
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        found = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError):
        raise ServiceError("invalid", _("The webhook address cannot be resolved."), {"url": [_("Check the host name.")]}) from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in found))
    if not getattr(settings, "WEBHOOK_ALLOW_PRIVATE", False):
        for address in addresses:
            ip = ipaddress.ip_address(address.split("%")[0])
            if not ip.is_global or ip.is_multicast:
                raise ServiceError("invalid", _("The webhook address points into a private or local network."),
                                   {"url": [_("Use a public address.")]})
    return addresses


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to an address already checked, whatever the host name resolves to now."""

    def __init__(self, host: str, port: int | None, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int | None, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def _post(url: str, body: bytes, headers: dict[str, str]) -> int:
    """POST ``body``; the HTTP status, or ``OSError``/``ServiceError`` when nothing was answered."""
    address = check_url(url)[0]
    parts = urlsplit(url)
    connection_class = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(parts.hostname or "", parts.port, address, TIMEOUT)
    try:
        target = parts.path or "/"
        connection.request("POST", f"{target}?{parts.query}" if parts.query else target, body=body, headers=headers)
        response = connection.getresponse()
        response.read(65536)
        return response.status
    finally:
        connection.close()


def _send(delivery: WebhookDelivery) -> tuple[int | None, str]:
    """Make one attempt: (HTTP status or None, error text or "")."""
    event = delivery.event
    body = json.dumps(event_payload(event), ensure_ascii=False, separators=(",", ":")).encode()
    timestamp = int(timezone.now().timestamp())
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "X-Zhengtong-Event": f"{event.entity}.{event.action}",
        "X-Zhengtong-Delivery": str(delivery.pk),
        "X-Zhengtong-Timestamp": str(timestamp),
        "X-Zhengtong-Signature": sign(delivery.webhook.secret, timestamp, body),
    }
    try:
        status = _post(delivery.webhook.url, body, headers)
    except ServiceError as exc:
        return None, exc.message
    except (OSError, http.client.HTTPException) as exc:
        return None, f"{type(exc).__name__}: {exc}"
    return status, "" if 200 <= status < 300 else f"HTTP {status}"


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed attempt: 1, 2, 4 … minutes, at most an hour."""
    return min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_RETRY)


def _claim(pk: int, now: datetime) -> WebhookDelivery | None:
    claimed = WebhookDelivery.objects.filter(pk=pk, state=WebhookDelivery.State.PENDING, next_attempt_at__lte=now).update(
        next_attempt_at=now + LEASE)
    return WebhookDelivery.objects.select_related("webhook", "event").get(pk=pk) if claimed else None


def _record(delivery: WebhookDelivery, status: int | None, error: str, now: datetime) -> str:
    attempts = delivery.attempts + 1
    result: dict[str, Any] = {"attempts": attempts, "last_status": status, "last_error": error[:300]}
    if not error:
        outcome = "delivered"
        result.update(state=WebhookDelivery.State.DELIVERED, delivered_at=now)
    elif attempts >= MAX_ATTEMPTS:
        outcome = "failed"
        result.update(state=WebhookDelivery.State.FAILED)
        logger.warning("webhook %s gave up on event %s after %d attempts: %s", delivery.webhook_id, delivery.event_id, attempts, error)
    else:
        outcome = "retrying"
        result.update(next_attempt_at=now + retry_delay(attempts))
    WebhookDelivery.objects.filter(pk=delivery.pk).update(**result)
    return outcome


def deliver_due(now: datetime | None = None, limit: int = 100) -> dict[str, int]:
    """Send up to ``limit`` due deliveries of active webhooks, oldest first; counts by outcome."""
    now = now or timezone.now()
    counts = {"delivered": 0, "retrying": 0, "failed": 0}
    # A body carries the event's position: deliveries whose event committed after this numbering wait for the next round.
    sequence.sequence(ChangeEvent)
    due = (WebhookDelivery.objects.filter(state=WebhookDelivery.State.PENDING, next_attempt_at__lte=now, webhook__is_active=True,
                                          event__seq__isnull=False)
           .order_by("next_attempt_at", "id").values_list("pk", flat=True)[:limit])
    for pk in list(due):
        delivery = _claim(pk, now)
        if delivery is not None:
            counts[_record(delivery, *_send(delivery), now)] += 1
    return counts
