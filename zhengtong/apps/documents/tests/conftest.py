"""Three units for 公文: 市水务局 issues; two 区水务局 receive. Each has a registry (文书).

市水务局: 局领导 (director 张局长), 办公室 (office_head; clerk 文书), 水资源处 (ziyuan_head; drafter),
规划处 (plan_head), 财务处 (finance_head). Each 区水务局: 局领导 (x_leader), 办公室 (x_clerk),
供水科 (x_supply_head), 排水科 (x_drain_head), and a reader (x_reader).
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.urls import reverse

from conftest import make_person
from zhengtong.apps.documents import services
from zhengtong.apps.documents.models import Document
from zhengtong.platform.directory import services as directory
from zhengtong.platform.directory.models import Department


def _person(people, username, name, department, *, leader=False, clearance=1):
    people[username] = make_person(username, name, roles=("staff",), clearance=clearance)
    directory.add_membership(acting_user=None, user=people[username], department=department, is_leader=leader)
    return people[username]


def _district(people, units, prefix, name):
    unit = directory.create_department(acting_user=None, name=name, kind=Department.Kind.UNIT)
    leadership = directory.create_department(acting_user=None, name="局领导", parent=unit, kind=Department.Kind.LEADERSHIP)
    office = directory.create_department(acting_user=None, name="办公室", parent=unit)
    supply = directory.create_department(acting_user=None, name="供水科", parent=unit)
    drain = directory.create_department(acting_user=None, name="排水科", parent=unit)
    _person(people, f"{prefix}_leader", f"{name}局长", leadership, leader=True)
    _person(people, f"{prefix}_clerk", f"{name}文书", office)
    _person(people, f"{prefix}_supply_head", f"{name}供水科长", supply, leader=True)
    _person(people, f"{prefix}_drain_head", f"{name}排水科长", drain, leader=True)
    _person(people, f"{prefix}_reader", f"{name}科员", office, clearance=0)
    units[prefix] = SimpleNamespace(unit=unit, office=office, supply=supply, drain=drain)


@pytest.fixture
def org(db):
    return build_org()


def build_org():
    people: dict = {}
    units: dict = {}
    city = directory.create_department(acting_user=None, name="市水务局", kind=Department.Kind.UNIT)
    leadership = directory.create_department(acting_user=None, name="局领导", parent=city, kind=Department.Kind.LEADERSHIP)
    office = directory.create_department(acting_user=None, name="办公室", parent=city)
    water = directory.create_department(acting_user=None, name="水资源处", parent=city)
    planning = directory.create_department(acting_user=None, name="规划处", parent=city)
    finance = directory.create_department(acting_user=None, name="财务处", parent=city)
    _person(people, "director", "张局长", leadership, leader=True, clearance=2)
    _person(people, "office_head", "办公室主任", office, leader=True)
    _person(people, "wenshu", "文书小刘", office)
    _person(people, "ziyuan_head", "水资源处长", water, leader=True)
    _person(people, "drafter", "拟稿人小王", water)
    _person(people, "plan_head", "规划处长", planning, leader=True)
    _person(people, "finance_head", "财务处长", finance, leader=True)
    units["city"] = SimpleNamespace(unit=city, office=office, water=water, planning=planning, finance=finance)
    _district(people, units, "east", "东区水务局")
    _district(people, units, "west", "西区水务局")
    admin = people["doc_admin"] = make_person("doc_admin", "系统管理员", roles=("system_admin",))
    services.add_issuer_code(acting_user=admin, unit=city, code="市水发", description="局发文")
    services.set_registry(acting_user=admin, unit=city, clerks=[people["wenshu"]], office_name="市水务局办公室")
    for prefix in ("east", "west"):
        services.set_registry(acting_user=admin, unit=units[prefix].unit, clerks=[people[f"{prefix}_clerk"]],
                              office_name=f"{units[prefix].unit.name}办公室", incoming_code="收")
    return SimpleNamespace(people=people, units=units)


def item_of(document, username):
    """The open work item of ``username`` on the document's process."""
    from zhengtong.platform.workflow.models import WorkItem

    document.refresh_from_db()
    return WorkItem.objects.get(instance_id=document.instance_id, assignee__username=username, state=WorkItem.State.OPEN)


def act(org, document, username, *, approve=True, comment="同意", data=None):
    person = org.people[username]
    return services.decide(acting_user=person, document=document, item_id=item_of(document, username).pk, approve=approve,
                           comment=comment, data=data)


def draft_notice(org, **overrides):
    values = {"doc_type": "通知", "title": "关于做好2026年防汛工作的通知", "issuer_code": "市水发",
              "body": "为做好今年防汛工作，现将有关事项通知如下：\n一、提高认识\n二、落实责任",
              "main_recipients": [org.units["east"].unit.pk, org.units["west"].unit.pk]}
    values.update(overrides)
    return services.create_draft(acting_user=org.people["drafter"], **values)


def to_dispatch(org, document=None):
    """A notice through every 发文 step, dispatched to both districts."""
    document = document or draft_notice(org)
    services.submit(acting_user=org.people["drafter"], document=document,
                    countersign_departments=[org.units["city"].planning.pk, org.units["city"].finance.pk], signer="director")
    act(org, document, "ziyuan_head")
    act(org, document, "plan_head", comment="规划处无意见")
    act(org, document, "finance_head", comment="财务处同意")
    act(org, document, "director", comment="同意印发")
    for _step in ("recheck", "register", "print", "dispatch"):
        act(org, document, "wenshu", comment="")
    document.refresh_from_db()
    return document


def incoming_for(document, prefix, org):
    return Document.objects.get(source=document, unit=org.units[prefix].unit)


def form_post(client, url, data=None):
    """Post a form as a browser does: with the CSRF token the pages set (the clients enforce CSRF)."""
    if "zt_csrf" not in client.cookies:
        client.get(reverse("documents:create"))
    return client.post(url, {**(data or {}), "csrfmiddlewaretoken": client.cookies["zt_csrf"].value})
