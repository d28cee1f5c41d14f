from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

from zhengtong.apps.bulletins import services
from zhengtong.apps.bulletins.models import Bulletin
from zhengtong.apps.bulletins.rules import VIEW, readable
from zhengtong.pagination import Page, PageIn, page
from zhengtong.platform.access import permissions as perms
from zhengtong.platform.access.policy import require

router = Router(tags=["bulletins"])


class BulletinIn(Schema):
    title: str = Field(..., max_length=200)
    body: str = Field(..., max_length=20000)
    classification: int = Field(0, ge=0)


class BulletinOut(Schema):
    id: int
    title: str
    body: str
    author: str
    classification: int
    published_at: datetime


def _out(bulletin: Bulletin) -> BulletinOut:
    return BulletinOut(id=bulletin.pk, title=bulletin.title, body=bulletin.body, author=bulletin.author.get_full_name(),
                       classification=bulletin.classification, published_at=bulletin.published_at)


@router.get("/", response=Page[BulletinOut], summary="Work news I may read, newest first")
def list_bulletins(request: HttpRequest, paging: Query[PageIn]) -> dict[str, Any]:
    require(request.user, perms.USE_BUSINESS_APPS)
    return page(readable(request.user, Bulletin.objects.select_related("author")), paging, _out)


@router.get("/{bulletin_id}", response=BulletinOut, summary="One work news item")
def get_bulletin(request: HttpRequest, bulletin_id: int) -> BulletinOut:
    # Another unit's item, or one above the reader's clearance, does not exist for them.
    bulletin = get_object_or_404(readable(request.user, Bulletin.objects.select_related("author")), pk=bulletin_id)
    require(request.user, VIEW, bulletin)
    return _out(bulletin)


@router.post("/", response={201: BulletinOut}, summary="Publish a work news item")
def create_bulletin(request: HttpRequest, payload: BulletinIn) -> Status[BulletinOut]:
    bulletin = services.publish(acting_user=request.user, title=payload.title, body=payload.body, classification=payload.classification)
    return Status(201, _out(bulletin))
