"""Webhooks: signed delivery to a local server, retries with backoff, safe addresses, the delivery log."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from zhengtong.errors import ServiceError
from zhengtong.platform.audit.models import AuditRecord
from zhengtong.platform.directory import services, webhooks
from zhengtong.platform.directory.models import Department, Webhook, WebhookDelivery


class Receiver:
    """A local HTTP server answering with the queued statuses (then 200), recording each request."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.statuses: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append(({key.lower(): value for key, value in self.headers.items()}, body))
                self.send_response(receiver.statuses.pop(0) if receiver.statuses else 200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/zhengtong?app=1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def receiver(db: Any, settings: Any) -> Iterator[Receiver]:
    settings.WEBHOOK_ALLOW_PRIVATE = True
    server = Receiver()
    yield server
    server.server.shutdown()
    server.server.server_close()


def test_a_change_is_delivered_signed(receiver: Receiver, sysadmin: Any) -> None:
    hook = services.create_webhook(acting_user=sysadmin, name="OA", url=receiver.url, secret="s3cret")
    unit = services.create_department(acting_user=None, name="市水务局", kind=Department.Kind.UNIT, external_id="u1")
    assert webhooks.deliver_due() == {"delivered": 1, "retrying": 0, "failed": 0}
    headers, body = receiver.requests[0]
    assert headers["x-zhengtong-event"] == "department.created"
    delivery = WebhookDelivery.objects.get(webhook=hook)
    assert headers["x-zhengtong-delivery"] == str(delivery.pk)
    signed = headers["x-zhengtong-timestamp"].encode() + b"." + body
    assert headers["x-zhengtong-signature"] == "sha256=" + hmac.new(b"s3cret", signed, hashlib.sha256).hexdigest()
    event = json.loads(body)
    assert (event["entity"], event["external_id"], event["entity_id"]) == ("department", "u1", str(unit.pk))
    assert delivery.state == WebhookDelivery.State.DELIVERED and delivery.attempts == 1 and delivery.last_status == 200
    assert webhooks.deliver_due() == {"delivered": 0, "retrying": 0, "failed": 0}  # never sent twice


def test_a_failure_is_retried_with_backoff(receiver: Receiver) -> None:
    services.create_webhook(acting_user=None, name="OA", url=receiver.url, entities=["department"])
    receiver.statuses = [500]
    services.create_department(acting_user=None, name="市水务局", kind=Department.Kind.UNIT)
    start = timezone.now()
    assert webhooks.deliver_due(now=start)["retrying"] == 1
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.last_status, delivery.last_error) == ("pending", 1, 500, "HTTP 500")
    assert delivery.next_attempt_at == start + timedelta(minutes=1)
    assert webhooks.deliver_due(now=start + timedelta(seconds=30))["delivered"] == 0  # not yet due
    assert webhooks.deliver_due(now=start + timedelta(minutes=1))["delivered"] == 1
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.last_status, delivery.last_error) == ("delivered", 2, 200, "")
    assert len(receiver.requests) == 2 and receiver.requests[0][1] == receiver.requests[1][1]


def test_backoff_doubles_to_an_hour_then_gives_up(db: Any, settings: Any) -> None:
    assert [webhooks.retry_delay(n) for n in (1, 2, 3, 7, 8)] == [timedelta(minutes=m) for m in (1, 2, 4, 60, 60)]
    settings.WEBHOOK_ALLOW_PRIVATE = True
    services.create_webhook(acting_user=None, name="down", url="http://127.0.0.1:9/")  # nothing listens on discard
    services.create_department(acting_user=None, name="市水务局", kind=Department.Kind.UNIT)
    now = timezone.now()
    for _attempt in range(webhooks.MAX_ATTEMPTS):
        webhooks.deliver_due(now=now)
        now += webhooks.LONGEST_RETRY
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == WebhookDelivery.State.FAILED and delivery.attempts == webhooks.MAX_ATTEMPTS
    assert delivery.last_status is None and delivery.last_error


def test_a_claimed_delivery_is_not_sent_by_another_worker(receiver: Receiver) -> None:
    services.create_webhook(acting_user=None, name="OA", url=receiver.url)
    services.create_department(acting_user=None, name="市水务局", kind=Department.Kind.UNIT)
    delivery = WebhookDelivery.objects.get()
    now = timezone.now()
    assert webhooks._claim(delivery.pk, now) is not None
    assert webhooks._claim(delivery.pk, now) is None  # the second worker finds it taken
    assert webhooks.deliver_due(now=now)["delivered"] == 0 and not receiver.requests


def test_addresses_must_be_public_http(db: Any, sysadmin: Any, clerk: Any) -> None:
    for url in ("ftp://example.com/", "http://127.0.0.1/", "http://10.0.0.8/", "http://[::1]/", "http://169.254.169.254/"):
        with pytest.raises(ServiceError):
            services.create_webhook(acting_user=sysadmin, name="x", url=url)
    with pytest.raises(ServiceError):
        services.create_webhook(acting_user=sysadmin, name="x", url="http://8.8.8.8/", entities=["planet"])
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.create_webhook(acting_user=clerk, name="x", url="http://8.8.8.8/")
    hook = services.create_webhook(acting_user=sysadmin, name="x", url="http://8.8.8.8/hook")
    services.update_webhook(acting_user=sysadmin, webhook=hook, is_active=False)
    record = AuditRecord.objects.get(action="directory.webhook_created")
    assert hook.secret not in json.dumps(record.changes)
    assert AuditRecord.objects.filter(action="directory.webhook_updated").count() == 1


def test_inactive_webhooks_wait(receiver: Receiver) -> None:
    hook = services.create_webhook(acting_user=None, name="OA", url=receiver.url)
    services.create_department(acting_user=None, name="市水务局", kind=Department.Kind.UNIT)
    services.update_webhook(acting_user=None, webhook=hook, is_active=False)
    call_command("deliver_webhooks")
    assert not receiver.requests
    services.update_webhook(acting_user=None, webhook=hook, is_active=True)
    call_command("deliver_webhooks")
    assert len(receiver.requests) == 1


def test_the_delivery_log_is_for_system_administrators(receiver: Receiver, client_for: Any, sysadmin: Any, clerk: Any,
                                                        auditor: Any) -> None:
    services.create_webhook(acting_user=None, name="OA", url=receiver.url)
    receiver.statuses = [503]
    services.create_department(acting_user=None, name="市水务局", kind=Department.Kind.UNIT)
    webhooks.deliver_due()
    page = client_for(sysadmin).get("/admin/directory/webhookdelivery/")
    assert page.status_code == 200 and "HTTP 503" in page.content.decode()
    for person in (clerk, auditor):
        assert client_for(person).get("/admin/directory/webhookdelivery/").status_code in (302, 403)
    delivery = WebhookDelivery.objects.get()
    assert client_for(sysadmin).get(f"/admin/directory/webhookdelivery/{delivery.pk}/change/").status_code == 200
    assert client_for(sysadmin).post(f"/admin/directory/webhookdelivery/{delivery.pk}/delete/").status_code == 403


def test_webhooks_are_managed_in_the_back_office(receiver: Receiver, sysadmin: Any) -> None:
    client = Client()
    client.force_login(sysadmin)
    response = client.post("/admin/directory/webhook/add/", {
        "name": "OA", "url": receiver.url, "secret": "", "entities": ["person"], "is_active": "on"})
    assert response.status_code == 302
    hook = Webhook.objects.get()
    assert hook.entities == ["person"] and len(hook.secret) > 30
    response = client.post(f"/admin/directory/webhook/{hook.pk}/change/", {
        "name": "OA", "url": "ftp://example.com/", "secret": "", "is_active": "on"})
    hook.refresh_from_db()
    assert hook.url == receiver.url  # refused, nothing saved
    client.post("/admin/directory/webhook/", {"action": "deactivate_selected", "_selected_action": [hook.pk]})
    hook.refresh_from_db()
    assert not hook.is_active and len(hook.secret) > 30
    assert AuditRecord.objects.filter(action="directory.webhook_created", actor_id=sysadmin.pk).exists()
