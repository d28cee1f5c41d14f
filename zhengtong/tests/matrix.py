"""Permission matrix rows for what the project itself serves: health, the API's documents, the language, the back office.

The back office (Django admin) is the system administrator's alone. Its rows are made from the
admin site's registry, so a model newly registered there is tried without anyone writing a row:
nobody else gets in, and the system administrator gets what that model's admin declares (a
read-only model has no add page; a person cannot be deleted, only disabled).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from zhengtong.testing.matrix import Outcome, Row, World, expect, only

PUBLIC = expect(200, anonymous=200)


class _NewestOrNone(dict[str, int]):
    def __missing__(self, label: str) -> int:
        return 0  # no such object: the back office says so and goes back to its index


def build(world: World) -> None:
    """The newest object of each model in the back office, by model label."""
    from django.contrib import admin

    world.user_type = _user_type(world)
    world.admin_pk = _NewestOrNone()
    for model in admin.site._registry:
        newest = model._default_manager.order_by("-pk").values_list("pk", flat=True).first()
        if newest is not None:
            world.admin_pk[model._meta.label_lower] = newest


def _as_declared(model: Any, page: str) -> Callable[[World], Mapping[str, Outcome]]:
    """What the system administrator gets on ``page``: what the model's admin allows, in Django's order of checks."""

    def promised(world: World) -> Mapping[str, Outcome]:
        from django.contrib import admin
        from django.test import RequestFactory

        model_admin = admin.site._registry[model]
        request = RequestFactory().get("/admin/")
        request.user = world.people["sysadmin"]
        pk = world.admin_pk[model._meta.label_lower]
        obj = model._default_manager.filter(pk=pk).first()
        if page == "list":
            status = 200 if model_admin.has_view_or_change_permission(request) else 403
        elif page == "add":
            status = 200 if model_admin.has_add_permission(request) else 403
        elif page == "shortcut":  # /<pk>/ goes on to the change page
            status = 302 if model_admin.has_view_or_change_permission(request) else 403
        elif page == "history":
            status = 302 if obj is None else 200 if model_admin.has_view_or_change_permission(request, obj) else 403
        else:
            allowed = (model_admin.has_view_or_change_permission(request, obj) if page == "change"
                       else model_admin.has_delete_permission(request, obj))
            status = 403 if not allowed else 302 if obj is None else 200
        return only("sysadmin", status=status)

    return promised


def _user_type(world: World) -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(world.people["author"]).pk


def back_office_rows() -> list[Row]:
    from django.contrib import admin

    rows = [
        Row("GET", "/admin/", only("sysadmin")),
        *(Row("GET", f"/admin/{label}/", only("sysadmin")) for label in sorted({model._meta.app_label for model in admin.site._registry})),
        Row("GET", "/admin/jsi18n/", only("sysadmin")),
        Row("GET", "/admin/autocomplete/", only("sysadmin", status=403)),  # asked for nothing it may complete
        Row("GET", "/admin/login/", expect(403)),  # the platform's sign-in is the way in, signed in already or not
        Row("POST", "/admin/logout/", expect(302, anonymous=302)),  # out, or back to the index: nothing to see either way
        Row("GET", "/admin/password_change/", only("sysadmin", status=302)),  # to the platform's own password page
        Row("GET", "/admin/password_change/done/", only("sysadmin")),
        Row("GET", "/admin/r/{w.user_type}/0/", only("sysadmin", status=404)),
        Row("GET", "/admin/no-such-page/", only("sysadmin", status=404)),
    ]
    for model in admin.site._registry:
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        pk = f"{{w.admin_pk[{model._meta.label_lower}]}}"
        rows += [Row("GET", base, _as_declared(model, "list")),
                 Row("GET", f"{base}add/", _as_declared(model, "add")),
                 Row("GET", f"{base}{pk}/change/", _as_declared(model, "change")),
                 Row("GET", f"{base}{pk}/history/", _as_declared(model, "history")),
                 Row("GET", f"{base}{pk}/delete/", _as_declared(model, "delete")),
                 Row("GET", f"{base}{pk}/", _as_declared(model, "shortcut"))]
    return rows


ROWS = [
    Row("GET", "/healthz", PUBLIC),
    Row("GET", "/favicon.ico", expect(301, anonymous=301)),
    Row("POST", "/i18n/setlang/", expect(302, anonymous=302), data={"language": "en", "next": "/"}),
    Row("GET", "/api/", expect(404, anonymous=404)),  # no index: the documents are at /api/docs
    Row("GET", "/api/openapi.json", PUBLIC),
    Row("GET", "/api/docs", PUBLIC),
    *back_office_rows(),
]
