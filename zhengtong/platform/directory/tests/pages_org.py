"""A small organisation for the page, API, group and visibility tests (not a test module)."""

from __future__ import annotations

from typing import Any

from conftest import make_person
from zhengtong.platform.directory import services
from zhengtong.platform.directory.models import Department


def build_org(clerk: Any, head: Any, outsider: Any) -> dict[str, Any]:
    """市水务局: 局领导 (director), 办公室 (head, deputy, clerk), 信息中心 (head again), 保密办 (confidential, keeper).

    市生态环境局: the outsider. The head's mobile is 13900000002, the clerk's 13900000001.
    """
    unit = services.create_department(acting_user=None, name="市水务局", kind=Department.Kind.UNIT, order=1)
    office = services.create_department(acting_user=None, name="办公室", parent=unit, order=1, phone="0571-87020000")
    info = services.create_department(acting_user=None, name="信息中心", parent=unit, order=2)
    secret = services.create_department(acting_user=None, name="保密办", parent=unit, order=3, is_confidential=True)
    # Created last with the highest order, yet shown first: leadership leads.
    leadership = services.create_department(acting_user=None, name="局领导", parent=unit, order=9, kind=Department.Kind.LEADERSHIP)
    other = services.create_department(acting_user=None, name="市生态环境局", kind=Department.Kind.UNIT, order=2)
    director = make_person("director", "王局长", roles=("staff",), clearance=2)
    deputy = make_person("deputy", "吴副主任", roles=("staff",), clearance=1)
    keeper = make_person("keeper", "严机要", roles=("staff",), clearance=2)
    posts = {name: services.create_post(acting_user=None, department=department, name=name, order=order)
             for department, name, order in ((office, "主任", 1), (office, "副主任", 2), (office, "科员", 3), (leadership, "局长", 1))}
    services.add_membership(acting_user=None, user=director, department=leadership, post=posts["局长"], is_leader=True)
    # The clerk is placed before the deputy in display order; heads and deputies still come first.
    services.add_membership(acting_user=None, user=clerk, department=office, post=posts["科员"], order=1, office_phone="0571-87020001")
    services.add_membership(acting_user=None, user=deputy, department=office, post=posts["副主任"], is_deputy=True, order=2)
    services.add_membership(acting_user=None, user=head, department=office, post=posts["主任"], is_leader=True, order=3)
    info_head = services.create_post(acting_user=None, department=info, name="主任")
    services.add_membership(acting_user=None, user=head, department=info, post=info_head, is_leader=True)
    services.add_membership(acting_user=None, user=keeper, department=secret, is_leader=True)
    services.add_membership(acting_user=None, user=outsider, department=other)
    for person, mobile in ((clerk, "13900000001"), (head, "13900000002"), (keeper, "13900000003"), (director, "13900000004")):
        person.mobile, person.email = mobile, f"{person.username}@swj.example.cn"
        person.save()
    return {"unit": unit, "office": office, "info": info, "secret": secret, "leadership": leadership, "other": other,
            "director": director, "deputy": deputy, "keeper": keeper, "clerk": clerk, "head": head, "outsider": outsider}
