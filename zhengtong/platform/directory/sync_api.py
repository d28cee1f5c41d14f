"""The sync API: external systems keep the organisation in step by external id, and follow its changes.

Mounted at ``/api/directory/sync``. Every call needs ``directory.sync`` or ``accounts.manage``
(see ``permissions``); a program calls with a bearer token of an account that holds one.
Records are addressed by external id (or ``zt-<kind>-<id>`` for records made in Zhengtong
without one). Unknown ids in the path are 404, unknown references in a body and invalid
values 422, clashes (a taken username or code, a held post) 409; a refused call changes
nothing. Integrations see the whole organisation, confidential departments included.

``GET /changes?since=<cursor>`` returns the change feed after the cursor in id order with the
cursor to ask from next; the feed's writers commit ids in order (see ``feed``), so a reader
that always asks from ``next`` never misses a change.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth import get_user_model
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from zhengtong.errors import ServiceError
from zhengtong.pagination import LogPage, Page, PageIn, log_page, page, position
from zhengtong.platform.directory import feed, services, sync, webhooks
from zhengtong.platform.directory.models import Department, Membership, Person, Post
from zhengtong.platform.directory.permissions import require_sync

router = Router(tags=["directory sync"])

def _sync(handler: Callable[..., Any]) -> Callable[..., Any]:
    """Check the caller may sync."""

    @wraps(handler)
    def call(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        require_sync(request.user)
        return handler(request, *args, **kwargs)

    return call


def _reference(finder: Callable[[str], Any], external_id: str, field: str) -> Any:
    """A record a body refers to: 422 naming the field when there is none."""
    found = finder(external_id)
    if found is None:
        message = _("Unknown external id: %(external_id)s") % {"external_id": external_id}
        raise ServiceError("invalid", message, {field: [message]})
    return found


def _found(finder: Callable[[str], Any], external_id: str) -> Any:
    found = finder(external_id)
    if found is None:
        raise Http404
    return found


# --- Departments ------------------------------------------------------------------------------


class DepartmentIn(Schema):
    name: str
    kind: str = Department.Kind.DEPARTMENT
    parent: str | None = Field(None, description="The parent's external id; none for a top-level unit.")
    short_name: str = ""
    order: int = 0
    code: str | None = None
    phone: str = ""
    is_confidential: bool | None = Field(None, description="Changed only by the security administrator; omit to leave it.")


class SyncDepartmentOut(Schema):
    external_id: str
    name: str
    kind: str
    parent: str | None
    short_name: str
    order: int
    code: str | None
    phone: str
    is_confidential: bool
    is_active: bool


class MoveIn(Schema):
    parent: str | None = None


def _department_out(department: Department) -> dict[str, Any]:
    parent = department.parent
    return {"external_id": sync.external_key("department", department.external_id, department.pk),
            "parent": sync.external_key("department", parent.external_id, parent.pk) if parent else None,
            **{name: getattr(department, name) for name in ("name", "kind", "short_name", "order", "code", "phone",
                                                            "is_confidential", "is_active")}}


class SyncPageIn(PageIn):
    limit: int = Field(100, ge=1, le=1000, description="At most this many items.")


@router.get("/departments", response=Page[SyncDepartmentOut])
@_sync
def list_departments(request: HttpRequest, paging: Query[SyncPageIn]) -> dict[str, Any]:
    return page(Department.objects.select_related("parent").order_by("id"), paging, _department_out)


@router.get("/departments/{external_id}", response=SyncDepartmentOut)
@_sync
def get_department(request: HttpRequest, external_id: str) -> dict[str, Any]:
    return _department_out(_found(sync.find_department, external_id))


@router.put("/departments/{external_id}", response={200: SyncDepartmentOut, 201: SyncDepartmentOut})
@_sync
def put_department(request: HttpRequest, external_id: str, payload: DepartmentIn) -> Status:
    fields = payload.dict()
    parent_id = fields.pop("parent")
    parent = _reference(sync.find_department, parent_id, "parent") if parent_id else None
    department, created = sync.upsert_department(request.user, external_id, parent=parent, **fields)
    return Status(201 if created else 200, _department_out(department))


@router.post("/departments/{external_id}/move", response=SyncDepartmentOut)
@_sync
def move_department(request: HttpRequest, external_id: str, payload: MoveIn) -> dict[str, Any]:
    department = _found(sync.find_department, external_id)
    parent = _reference(sync.find_department, payload.parent, "parent") if payload.parent else None
    return _department_out(services.update_department(acting_user=request.user, department=department, parent=parent))


def _set_department_active(request: HttpRequest, external_id: str, active: bool) -> dict[str, Any]:
    department = _found(sync.find_department, external_id)
    return _department_out(services.update_department(acting_user=request.user, department=department, is_active=active))


@router.post("/departments/{external_id}/disable", response=SyncDepartmentOut)
@_sync
def disable_department(request: HttpRequest, external_id: str) -> dict[str, Any]:
    return _set_department_active(request, external_id, False)


@router.post("/departments/{external_id}/enable", response=SyncDepartmentOut)
@_sync
def enable_department(request: HttpRequest, external_id: str) -> dict[str, Any]:
    return _set_department_active(request, external_id, True)


# --- Posts ------------------------------------------------------------------------------------


class PostIn(Schema):
    department: str
    name: str
    order: int = 0


class SyncPostOut(Schema):
    external_id: str
    department: str
    name: str
    order: int


class PostMoveIn(Schema):
    department: str


def _post_out(post: Post) -> dict[str, Any]:
    return {"external_id": sync.external_key("post", post.external_id, post.pk), "name": post.name, "order": post.order,
            "department": sync.external_key("department", post.department.external_id, post.department_id)}


@router.get("/posts", response=Page[SyncPostOut])
@_sync
def list_posts(request: HttpRequest, paging: Query[SyncPageIn]) -> dict[str, Any]:
    return page(Post.objects.select_related("department").order_by("id"), paging, _post_out)


@router.get("/posts/{external_id}", response=SyncPostOut)
@_sync
def get_post(request: HttpRequest, external_id: str) -> dict[str, Any]:
    return _post_out(_found(sync.find_post, external_id))


@router.put("/posts/{external_id}", response={200: SyncPostOut, 201: SyncPostOut})
@_sync
def put_post(request: HttpRequest, external_id: str, payload: PostIn) -> Status:
    department = _reference(sync.find_department, payload.department, "department")
    post, created = sync.upsert_post(request.user, external_id, department=department, name=payload.name, order=payload.order)
    return Status(201 if created else 200, _post_out(post))


@router.post("/posts/{external_id}/move", response=SyncPostOut)
@_sync
def move_post(request: HttpRequest, external_id: str, payload: PostMoveIn) -> dict[str, Any]:
    post = _found(sync.find_post, external_id)
    department = _reference(sync.find_department, payload.department, "department")
    return _post_out(services.update_post(acting_user=request.user, post=post, department=department))


@router.delete("/posts/{external_id}", response={204: None})
@_sync
def delete_post(request: HttpRequest, external_id: str) -> Status:
    services.delete_post(acting_user=request.user, post=_found(sync.find_post, external_id))
    return Status(204, None)


# --- People -----------------------------------------------------------------------------------


class MembershipIn(Schema):
    department: str
    post: str | None = None
    is_primary: bool = False
    is_leader: bool = False
    is_deputy: bool = False
    order: int = 0
    office_phone: str = ""


class MembershipOut(MembershipIn):
    pass


class PersonIn(Schema):
    username: str = Field(..., description="Fixed once the person exists.")
    display_name: str
    email: str = ""
    mobile: str = ""
    office_phone: str = ""
    status: str = Person.Status.ON_DUTY


class SyncPersonOut(Schema):
    external_id: str
    username: str
    display_name: str
    email: str
    mobile: str
    office_phone: str
    status: str
    is_active: bool
    memberships: list[MembershipOut]


class DisableIn(Schema):
    reason: str = ""


def _person_out(user: Any) -> dict[str, Any]:
    person = Person.objects.filter(user=user).first()
    memberships = Membership.objects.filter(user=user).select_related("department", "post").order_by("-is_primary", "order", "id")
    return {
        "external_id": sync.external_key("person", person.external_id if person else None, user.pk),
        "username": user.username, "display_name": user.display_name, "email": user.email, "mobile": user.mobile,
        "office_phone": person.office_phone if person else "", "status": person.status if person else Person.Status.ON_DUTY,
        "is_active": user.is_active,
        "memberships": [{
            "department": sync.external_key("department", m.department.external_id, m.department_id),
            "post": sync.external_key("post", m.post.external_id, m.post_id) if m.post else None,
            **{name: getattr(m, name) for name in ("is_primary", "is_leader", "is_deputy", "order", "office_phone")},
        } for m in memberships],
    }


@router.get("/people", response=Page[SyncPersonOut])
@_sync
def list_people(request: HttpRequest, paging: Query[SyncPageIn]) -> dict[str, Any]:
    return page(get_user_model().objects.filter(directory_person__isnull=False).order_by("id"), paging, _person_out)


@router.get("/people/{external_id}", response=SyncPersonOut)
@_sync
def get_person(request: HttpRequest, external_id: str) -> dict[str, Any]:
    return _person_out(_found(sync.find_person, external_id))


@router.put("/people/{external_id}", response={200: SyncPersonOut, 201: SyncPersonOut})
@_sync
def put_person(request: HttpRequest, external_id: str, payload: PersonIn) -> Status:
    user, created = sync.upsert_person(request.user, external_id, **payload.dict())
    return Status(201 if created else 200, _person_out(user))


@router.put("/people/{external_id}/memberships", response=SyncPersonOut)
@_sync
def put_memberships(request: HttpRequest, external_id: str, payload: list[MembershipIn]) -> dict[str, Any]:
    """Set all of a person's memberships at once: moving someone is replacing their list."""
    user = _found(sync.find_person, external_id)
    specs = [sync.MembershipSpec(
        department=_reference(sync.find_department, item.department, f"{index}.department"),
        post=_reference(sync.find_post, item.post, f"{index}.post") if item.post else None,
        **item.dict(exclude={"department", "post"}),
    ) for index, item in enumerate(payload)]
    sync.set_memberships(request.user, user, specs)
    return _person_out(user)


@router.post("/people/{external_id}/disable", response=SyncPersonOut)
@_sync
def disable_person(request: HttpRequest, external_id: str, payload: DisableIn) -> dict[str, Any]:
    user = _found(sync.find_person, external_id)
    return _person_out(services.disable_person(acting_user=request.user, user=user, reason=payload.reason))


@router.post("/people/{external_id}/enable", response=SyncPersonOut)
@_sync
def enable_person(request: HttpRequest, external_id: str) -> dict[str, Any]:
    return _person_out(services.enable_person(acting_user=request.user, user=_found(sync.find_person, external_id)))


# --- The change feed --------------------------------------------------------------------------


class ChangeOut(Schema):
    id: int
    occurred_at: str
    entity: str
    entity_id: str
    external_id: str
    action: str
    data: dict[str, Any]


class FeedQuery(Schema):
    cursor: str = Field("", max_length=40, description="`next_cursor` of the last page; empty: from the beginning.")
    limit: int = Field(100, ge=1, le=1000)


@router.get("/changes", response=LogPage[ChangeOut], summary="The organisation's changes after a cursor, oldest first")
@_sync
def changes(request: HttpRequest, paging: Query[FeedQuery]) -> dict[str, Any]:
    cursor = position(paging.cursor)
    return log_page(feed.changes(cursor, paging.limit), cursor, paging.limit, lambda event: event.seq, webhooks.event_payload)
