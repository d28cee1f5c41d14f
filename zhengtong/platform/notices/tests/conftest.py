from types import SimpleNamespace
from typing import Any

import pytest

from conftest import make_person
from zhengtong.platform.directory import services as directory
from zhengtong.platform.directory.models import Department


@pytest.fixture
def org(sysadmin: Any, clerk: Any, head: Any, outsider: Any) -> SimpleNamespace:
    """市水利局 › 办公室 › 文书科. The clerk holds two posts in 办公室; ann works in 文书科;
    dora (disabled) in 办公室; the outsider nowhere."""
    unit = directory.create_department(acting_user=sysadmin, name="市水利局", kind=Department.Kind.UNIT)
    office = directory.create_department(acting_user=sysadmin, name="办公室", parent=unit)
    registry = directory.create_department(acting_user=sysadmin, name="文书科", parent=office)
    clerk_post = directory.create_post(acting_user=sysadmin, department=office, name="科员")
    writer_post = directory.create_post(acting_user=sysadmin, department=office, name="文书")
    head_post = directory.create_post(acting_user=sysadmin, department=office, name="主任")
    ann = make_person("ann", "安安", roles=("staff",), clearance=1)
    dora = make_person("dora", "朵拉", roles=("staff",), clearance=1)
    directory.add_membership(acting_user=sysadmin, user=clerk, department=office, post=clerk_post)
    directory.add_membership(acting_user=sysadmin, user=clerk, department=office, post=writer_post)
    directory.add_membership(acting_user=sysadmin, user=head, department=office, post=head_post, is_leader=True)
    directory.add_membership(acting_user=sysadmin, user=ann, department=registry)
    directory.add_membership(acting_user=sysadmin, user=dora, department=office, post=clerk_post)
    dora.is_active = False
    dora.save(update_fields=["is_active"])
    group = directory.create_group(acting_user=sysadmin, name="防汛小组")
    directory.add_group_member(acting_user=sysadmin, group=group, user=ann)
    directory.add_group_member(acting_user=sysadmin, group=group, user=outsider)
    return SimpleNamespace(unit=unit, office=office, registry=registry, clerk_post=clerk_post, writer_post=writer_post,
                           group=group, clerk=clerk, head=head, ann=ann, dora=dora, outsider=outsider)


@pytest.fixture
def broadcaster(db: Any) -> Any:
    """Someone in the office who issues notices: a custom role with notices.broadcast."""
    from zhengtong.platform.access.models import Role
    from zhengtong.platform.access.services import assign_role

    role = Role.objects.create(code="notice_issuer", name="通知发布员", permissions=["notices.broadcast", "staff.use_apps"])
    person = make_person("issuer", "发布员", roles=("staff",), clearance=1)
    assign_role(acting_user=None, user=person, role=role)
    return person
