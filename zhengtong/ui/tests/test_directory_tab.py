from typing import Any

import pytest
from django.urls import reverse

from zhengtong.platform.directory import services
from zhengtong.platform.directory.models import Department


@pytest.fixture
def organisation(clerk: Any, head: Any, outsider: Any) -> dict[str, Department]:
    unit = services.create_department(acting_user=None, name="市水务局", kind=Department.Kind.UNIT)
    office = services.create_department(acting_user=None, name="办公室", parent=unit, order=1)
    info = services.create_department(acting_user=None, name="信息中心", parent=unit, order=2)
    head_post = services.create_post(acting_user=None, department=office, name="主任", order=1)
    clerk_post = services.create_post(acting_user=None, department=office, name="科员", order=2)
    services.add_membership(acting_user=None, user=clerk, department=office, post=clerk_post, order=2, office_phone="0571-87020001")
    services.add_membership(acting_user=None, user=head, department=office, post=head_post, is_leader=True, order=1)
    info_head = services.create_post(acting_user=None, department=info, name="主任")
    services.add_membership(acting_user=None, user=head, department=info, post=info_head, is_leader=True)
    other = services.create_department(acting_user=None, name="市生态环境局", kind=Department.Kind.UNIT)
    services.add_membership(acting_user=None, user=outsider, department=other)
    return {"unit": unit, "office": office, "info": info, "other": other}


def _page(client: Any, **params: Any) -> str:
    return client.get(reverse("ui:directory"), params).content.decode()


def _people(client: Any, **params: Any) -> str:
    """The people list only: the signed-in person's own name is in the top bar of every page."""
    return _page(client, **params).split('id="people"', 1)[1]


def test_units_and_my_department(client_for: Any, clerk: Any, organisation: dict[str, Department]) -> None:
    page = _page(client_for(clerk))
    assert "市水务局" in page and "市生态环境局" in page
    assert f'href="?dept={organisation["office"].pk}" id="my-department"' in page


def test_department_lists_people_in_display_order_with_posts_and_contacts(
        client_for: Any, clerk: Any, head: Any, organisation: dict[str, Department]) -> None:
    clerk.mobile, clerk.email = "13900000001", "clerk@swj.example.cn"
    clerk.save()
    page = _people(client_for(clerk), dept=organisation["office"].pk)
    assert page.index("李处长") < page.index("王小明")  # the leader first
    assert "办公室 主任；信息中心 主任" in page  # 一人多职: every post on the card
    assert 'href="tel:0571-87020001"' in page and 'href="tel:13900000001"' in page and 'href="mailto:clerk@swj.example.cn"' in page
    unit_page = _page(client_for(clerk), dept=organisation["unit"].pk)
    assert "办公室" in unit_page and "信息中心" in unit_page


def test_search_by_name(client_for: Any, clerk: Any, organisation: dict[str, Department]) -> None:
    page = _people(client_for(clerk), q="处长")
    assert "李处长" in page and "王小明" not in page
    assert 'data-person="outsider"' in _page(client_for(clerk), q="赵")
    assert "<script>" not in _page(client_for(clerk), q="<script>")


def test_unknown_department_is_404(client_for: Any, clerk: Any, organisation: dict[str, Department]) -> None:
    assert client_for(clerk).get(reverse("ui:directory"), {"dept": 999999}).status_code == 404
