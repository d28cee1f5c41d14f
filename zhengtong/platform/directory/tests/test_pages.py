"""The 通讯录 pages: the tab, departments, person cards, recent and frequent contacts."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse

from zhengtong.platform.directory import services
from zhengtong.platform.directory.models import ContactUse
from zhengtong.platform.directory.tests.pages_org import build_org
from zhengtong.testing import assert_access_matrix


@pytest.fixture
def org(clerk: Any, head: Any, outsider: Any) -> dict[str, Any]:
    return build_org(clerk, head, outsider)


def _get(client: Any, url: str, **params: Any) -> str:
    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _section(page: str, list_id: str) -> str:
    """One list of the page only: the signed-in person's own name is in the top bar of every page."""
    return page.split(f'id="{list_id}"', 1)[1].split("</ul>", 1)[0]


def test_staff_and_the_system_administrator_read_the_directory(client_for: Any, org: dict[str, Any], sysadmin: Any,
                                                               secadmin: Any, auditor: Any) -> None:
    for url in (reverse("ui:directory"), reverse("directory:department", args=[org["office"].pk]),
                reverse("directory:person", args=[org["head"].pk]), reverse("directory:groups")):
        assert_access_matrix(client_for, "GET", url, allowed=[org["clerk"], org["outsider"], sysadmin], denied=[secadmin, auditor])


def test_the_tab_shows_my_departments_the_units_and_groups(client_for: Any, org: dict[str, Any]) -> None:
    page = _get(client_for(org["head"]), reverse("ui:directory"))
    office, info = (reverse("directory:department", args=[org[name].pk]) for name in ("office", "info"))
    assert f'href="{office}" id="my-department"' in page and f'href="{info}"' in page  # 一人多职: both departments
    units = _section(page, "departments")
    assert units.index("市水务局") < units.index("市生态环境局")
    assert reverse("directory:groups") in page
    assert client_for(org["head"]).get(reverse("directory:mine")).url == office


def test_a_unit_lists_its_leadership_first_and_hides_confidential_departments(client_for: Any, org: dict[str, Any]) -> None:
    url = reverse("directory:department", args=[org["unit"].pk])
    departments = _section(_get(client_for(org["clerk"]), url), "departments")
    assert departments.index("局领导") < departments.index("办公室") < departments.index("信息中心")
    assert "保密办" not in departments
    assert "保密办" in _section(_get(client_for(org["keeper"]), url), "departments")


def test_department_lists_heads_deputies_then_others_with_posts_and_contacts(client_for: Any, org: dict[str, Any]) -> None:
    page = _get(client_for(org["clerk"]), reverse("directory:department", args=[org["office"].pk]))
    people = _section(page, "people")
    assert people.index("李处长") < people.index("吴副主任") < people.index("王小明")
    assert "办公室 主任；信息中心 主任" in people  # 一人多职: every post
    assert 'href="tel:0571-87020001"' in people and 'href="tel:13900000001"' in people
    assert 'href="mailto:clerk@swj.example.cn"' in people
    assert 'href="tel:0571-87020000"' in page  # the department's own phone
    assert f'href="{reverse("directory:department", args=[org["unit"].pk])}"' in page  # back up the tree


def test_hidden_and_unknown_departments_are_404(client_for: Any, org: dict[str, Any]) -> None:
    secret = reverse("directory:department", args=[org["secret"].pk])
    for person in (org["clerk"], org["outsider"], org["head"]):
        assert client_for(person).get(secret).status_code == 404
    assert client_for(org["keeper"]).get(secret).status_code == 200
    assert client_for(org["clerk"]).get(reverse("directory:department", args=[999999])).status_code == 404
    # Someone who works only in a hidden department has no card for outsiders.
    assert client_for(org["clerk"]).get(reverse("directory:person", args=[org["keeper"].pk])).status_code == 404


def test_person_card(client_for: Any, org: dict[str, Any]) -> None:
    services.update_person(acting_user=None, user=org["head"], status="travelling")
    page = _get(client_for(org["clerk"]), reverse("directory:person", args=[org["head"].pk]))
    assert "李处长" in page and "出差" in page
    posts = _section(page, "posts")
    assert "办公室 · 主任" in posts and "信息中心 · 主任" in posts
    assert 'href="tel:13900000002"' in page and 'href="mailto:head@swj.example.cn"' in page
    # The head reports to the unit's leaders; the clerk to the head.
    assert "王局长" in _section(page, "superiors")
    clerk_card = _get(client_for(org["head"]), reverse("directory:person", args=[org["clerk"].pk]))
    assert 'href="tel:0571-87020001"' in clerk_card and "李处长" in _section(clerk_card, "superiors")


def test_an_explicit_superior_is_shown(client_for: Any, org: dict[str, Any]) -> None:
    services.update_person(acting_user=None, user=org["clerk"], superior=org["deputy"])
    page = _get(client_for(org["head"]), reverse("directory:person", args=[org["clerk"].pk]))
    assert "吴副主任" in _section(page, "superiors") and "李处长" not in _section(page, "superiors")


def _post(client: Any, url: str) -> Any:
    client.get(reverse("ui:directory"), {"q": "-"})  # the CSRF cookie, as a list of people sets it
    return client.post(url, HTTP_X_CSRFTOKEN=client.cookies[settings.CSRF_COOKIE_NAME].value)


def test_recent_and_frequent_contacts(client_for: Any, org: dict[str, Any]) -> None:
    client = client_for(org["clerk"])
    for person in (org["head"], org["head"], org["clerk"], org["director"]):
        client.get(reverse("directory:person", args=[person.pk]))
    assert _post(client, reverse("directory:contact_used", args=[org["deputy"].pk])).status_code == 204
    assert not ContactUse.objects.filter(owner=org["clerk"], contact=org["clerk"]).exists()  # not oneself
    page = _get(client, reverse("ui:directory"))
    recent, frequent = _section(page, "recent"), _section(page, "frequent")
    assert recent.index("吴副主任") < recent.index("王局长") < recent.index("李处长")
    assert frequent.index("李处长") < frequent.index("吴副主任")
    assert ContactUse.objects.get(owner=org["clerk"], contact=org["head"]).uses == 2
    # Other people's lists are their own.
    assert 'id="recent"' not in _get(client_for(org["head"]), reverse("ui:directory"))


def test_counting_a_call_needs_the_csrf_token_and_a_visible_person(client_for: Any, org: dict[str, Any]) -> None:
    client = client_for(org["clerk"])
    assert client.post(reverse("directory:contact_used", args=[org["head"].pk])).status_code == 403
    assert _post(client, reverse("directory:contact_used", args=[org["keeper"].pk])).status_code == 404
    assert not ContactUse.objects.exists()


def test_search_applies_visibility_and_escapes(client_for: Any, org: dict[str, Any]) -> None:
    people = _section(_get(client_for(org["clerk"]), reverse("ui:directory"), q="处长"), "people")
    assert "李处长" in people and "王小明" not in people
    assert 'data-person="outsider"' in _get(client_for(org["clerk"]), reverse("ui:directory"), q="赵")
    assert "严机要" not in _section(_get(client_for(org["clerk"]), reverse("ui:directory"), q="严"), "people")
    assert "严机要" in _section(_get(client_for(org["keeper"]), reverse("ui:directory"), q="严"), "people")
    assert "<script>" not in _get(client_for(org["clerk"]), reverse("ui:directory"), q="<script>")
