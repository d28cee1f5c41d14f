"""Permission matrix rows for audit: the trail is the audit administrator's alone (三权分立)."""

import json
from typing import Any

from django.http import HttpResponse

from zhengtong.testing.matrix import Row, World, content_of, only

AUDITOR = frozenset({"auditor"})


def build(world: World) -> None:
    """A record of someone else's doing to open: the author's token being made, never id 1."""
    from zhengtong.platform.audit.models import AuditRecord

    world.audit_record = AuditRecord.objects.filter(object_repr__startswith="ZTMTOKENAUTHOR").order_by("-pk").first()


def _lists_the_record(world: Any, persona: str, response: HttpResponse) -> None:
    if persona == "auditor":
        ids = [item["id"] for item in json.loads(content_of(response))["items"]]
        assert world.audit_record.pk in ids, "the trail does not list the author's record"


def trail(method: str, url: str, status: int = 200, **options: Any) -> Row:
    return Row(method, url, only("auditor", status=status), sees_every_name=AUDITOR, **options)


ROWS = [
    trail("GET", "/audit/"),
    trail("GET", "/audit/?actor=author"),
    trail("GET", "/audit/{w.audit_record.pk}/"),
    trail("GET", "/audit/export.csv"),
    trail("POST", "/audit/verify/"),  # the result is shown on the page
    trail("GET", "/api/audit/records?actor=author&action=accounts.token_created", check=_lists_the_record),
    trail("GET", "/api/audit/records/{w.audit_record.pk}"),
    trail("GET", "/api/audit/export.csv"),
    trail("POST", "/api/audit/verify"),
]
