"""A small organisation for the sync tests, and files to import."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook

from zhengtong.platform.directory import services, sync
from zhengtong.platform.directory.models import Department

HEADERS = {sheet.name: [column.header for column in sheet.columns] for sheet in sync.SHEETS}

GOOD = {
    "部门": [["u1", "", "unit", "市水务局", "水务局", 1, "SWJ", "0571-1", "否", "是"],
             ["d1", "u1", "department", "办公室", "", 1, "", "", "否", "是"],
             ["d2", "u1", "department", "规划计划处", "规划处", 2, "", "", "否", "是"],
             ["d3", "d2", "department", "综合科", "", 1, "", "", "否", "是"]],
    "岗位": [["p1", "d1", "主任", 1], ["p2", "d1", "科员", 2], ["p3", "d2", "处长", 1]],
    "人员": [["e1", "zhangsan", "张三", "zhangsan@example.cn", "13800000001", "0571-2", "on_duty", "是"],
             ["e2", "lisi", "李四", "", "", "", "", "是"],
             ["e3", "wangwu", "王五", "", "+8613900000003", "", "on_leave", "否"]],
    "任职": [["e1", "d1", "p1", "是", "是", "否", 1, ""],
             ["e1", "d2", "", "否", "否", "否", 2, ""],
             ["e2", "d2", "p3", "是", "是", "否", 1, "0571-3"],
             ["e3", "d1", "p2", "是", "否", "否", 3, ""]],
}


def workbook(tables: dict[str, list[list[Any]]]) -> io.BytesIO:
    book = Workbook()
    book.remove(book.active)
    for name, rows in tables.items():
        sheet = book.create_sheet(name)
        sheet.append(HEADERS[name])
        for row in rows:
            sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    return data


def with_rows(**changes: list[list[Any]]) -> dict[str, list[list[Any]]]:
    """GOOD with some sheets' rows replaced (keys: departments, posts, people, memberships)."""
    names = {"departments": "部门", "posts": "岗位", "people": "人员", "memberships": "任职"}
    return {**GOOD, **{names[key]: rows for key, rows in changes.items()}}


def build_by_hand() -> dict[str, Any]:
    """An organisation made through the services, some of it without external ids."""
    unit = services.create_department(acting_user=None, name="市水务局", kind=Department.Kind.UNIT, external_id="u1", code="SWJ")
    office = services.create_department(acting_user=None, name="办公室", parent=unit, order=1)
    secret = services.create_department(acting_user=None, name="机要科", parent=office, external_id="d9", is_confidential=True)
    head = services.create_post(acting_user=None, department=office, name="主任", external_id="p1")
    clerk_post = services.create_post(acting_user=None, department=office, name="科员")
    zhang = services.create_person(acting_user=None, username="zhangsan", display_name="张三", external_id="e1",
                                   mobile="13800000001", office_phone="=1+2")
    li = services.create_person(acting_user=None, username="lisi", display_name="-李四", email="lisi@example.cn")
    services.add_membership(acting_user=None, user=zhang, department=office, post=head, is_leader=True)
    services.add_membership(acting_user=None, user=zhang, department=secret, order=2)
    services.add_membership(acting_user=None, user=li, department=office, post=clerk_post)
    services.disable_person(acting_user=None, user=li, reason="left")
    return {"unit": unit, "office": office, "secret": secret, "zhang": zhang, "li": li}
