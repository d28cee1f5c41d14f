import stat
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from zhengtong.apps.bulletins.models import Bulletin
from zhengtong.apps.chat.models import Conversation
from zhengtong.apps.documents.models import Document
from zhengtong.platform.access.policy import role_codes_of
from zhengtong.platform.accounts.models import User
from zhengtong.platform.audit.models import AuditRecord
from zhengtong.platform.directory.models import Department, Membership
from zhengtong.platform.todo.models import Entry
from zhengtong.platform.workflow.models import WorkItem


@pytest.fixture
def var_dir(tmp_path: Path, settings: Any) -> Path:
    settings.VAR_DIR = tmp_path
    return tmp_path


def test_demo_organisation(db: Any, var_dir: Path, capsys: Any) -> None:
    call_command("load_demo", "--once")
    printed = capsys.readouterr().out
    water = Department.objects.get(name="市水务局", kind=Department.Kind.UNIT)
    assert {"办公室", "水资源管理处", "防汛抗旱办公室", "行政审批处", "水政监察执法总队", "信息中心"} <= set(
        water.children.values_list("name", flat=True))
    assert Department.objects.filter(name="市生态环境局", kind=Department.Kind.UNIT).exists()
    staff = User.objects.filter(role_assignments__role__code="staff")
    assert 38 <= staff.count() <= 45
    assert set(staff.values_list("clearance", flat=True)) == {0, 1, 2}
    zhouming = User.objects.get(username="zhouming")
    assert set(Membership.objects.filter(user=zhouming).values_list("department__name", "post__name", "is_primary")) == {
        ("办公室", "主任", True), ("信息中心", "主任", False)}
    assert Membership.objects.filter(department__name="局领导", is_leader=True).count() >= 2
    for username, role in (("sysadmin", "system_admin"), ("secadmin", "security_admin"), ("auditor", "audit_admin")):
        assert role_codes_of(User.objects.get(username=username)) == {role}
    assert set(Bulletin.objects.values_list("classification", flat=True)) == {0, 1, 2}
    # 公文 at several stages: dispatched and awaiting 签收 at 市生态环境局, a 请示 at 核稿, a paper 函 registered,
    # and 收文 from 市生态环境局 at every stage of 收文 at 市水务局.
    assert set(Document.objects.values_list("direction", "state")) == {("out", "dispatched"), ("in", "awaiting"), ("out", "in_progress"),
                                                                       ("in", "handling"), ("in", "closed")}
    assert Document.objects.get(direction="out", state="dispatched", unit=water).number.startswith("市水发〔")
    incoming = Document.objects.filter(direction="in", unit=water, sender_name="市生态环境局")
    open_steps = set(WorkItem.objects.filter(instance__in=incoming.values("instance"), state="open").values_list("step_name", flat=True))
    assert open_steps == {"登记", "拟办", "批办", "承办"}
    assert incoming.filter(state="awaiting").exists() and incoming.filter(state="closed").exclude(reply="").exists()
    # The registry clerk (机要员) has something to sign for, to register and to propose on; the leader in charge
    # something to instruct, a department head something to handle — each on their own to-do list.
    def todo_of(username: str) -> set[str]:
        return set(Entry.objects.filter(user__username=username, tab="todo", state="open").values_list("subtitle", flat=True))

    assert {"签收", "登记", "拟办"} <= todo_of("qinfang")
    assert "签收" in todo_of("zhengkai") and "签收" in todo_of("sunyue")
    assert "批办" in todo_of("zhanglihua") and "承办" in todo_of("majun") and "承办" in todo_of("xiezhenhua")
    # Every department has its chat group, holding its people: 周明 is in 办公室's and 信息中心's.
    office_group = Conversation.objects.get(department__name="办公室", department__parent=water)
    assert office_group.title == "办公室" and office_group.members.filter(person=zhouming, left_at__isnull=True).exists()
    assert Conversation.objects.filter(department__name="信息中心", members__person=zhouming).exists()

    logins = var_dir / "demo-logins.txt"
    assert stat.S_IMODE(logins.stat().st_mode) == 0o600
    text = logins.read_text(encoding="utf-8")
    assert text in printed and "two-factor" in text
    lines = {line.split()[0]: line.split()[1] for line in text.splitlines() if line.startswith("  ")}
    assert User.objects.get(username="sysadmin").check_password(lines["sysadmin"])
    assert zhouming.check_password(lines["zhouming"])
    assert lines["sysadmin"] != lines["secadmin"]

    call_command("load_demo", "--once")
    assert "already loaded" in capsys.readouterr().out
    assert User.objects.filter(username="zhouming").count() == 1
    with pytest.raises(CommandError):
        call_command("load_demo")


def test_synthetic_organisation(db: Any, var_dir: Path) -> None:
    call_command("load_demo", "--people", "250", verbosity=0)
    call_command("load_demo", "--people", "50", verbosity=0)
    units = Department.objects.filter(kind=Department.Kind.UNIT).order_by("id")
    assert units.count() == 2
    people = User.objects.filter(memberships__department__in=Department.objects.filter(parent=units[0])).distinct()
    assert User.objects.count() == 300 and people.count() > 0
    assert Membership.objects.filter(is_primary=True).count() == 300
    assert Membership.objects.filter(is_primary=False).exists()
    assert User.objects.filter(role_assignments__role__code="staff").count() == 300
    summary = AuditRecord.objects.filter(action="directory.synthetic_loaded").order_by("pk").first()
    assert summary is not None and "250 people" in summary.detail
    with pytest.raises(CommandError):
        call_command("load_demo", "--people", "10", "--once")
