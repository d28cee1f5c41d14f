"""Permission matrix rows for the directory: staff and the system administrator read it, across units;
the system administrator (or a ``directory.sync`` account) keeps it in step with the HR system; the
security administrator decides who sees what. The audit and security administrators do not read it.

The organisation directory (通讯录) is shared across units by design: the outsider of 东区水务局 may
look up the people of 市水务局. What nobody outside may see is a confidential department (its name,
its people, that someone works in it) and a contact field an administrator restricted.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.http import HttpResponse

from zhengtong.testing.matrix import Row, World, answered, expect, only

# Staff and the system administrator read the directory; the security and audit administrators do not (三权分立).
READERS = expect(200, secadmin=403, auditor=403)
SYSADMIN = only("sysadmin")
SYSADMIN_DONE = only("sysadmin", status=302)
SECADMIN_DONE = only("secadmin", status=302)
# A hidden department or person does not exist for a reader: 404, as for an id never used.
HIDDEN = expect(404, secadmin=403, auditor=403)
ADMINISTRATORS = {"sysadmin", "secadmin", "auditor"}  # the sync API, the visibility page, the audit trail
WATER = {"head", "clerk", "author"}  # the people of 水资源处


def build(world: World) -> None:
    """A confidential 机要室 with its keeper, 东区's confidential 保密办 that the outsider works in, the leaders'
    e-mail restricted to their own department, a group with a hidden member, and the HR system's external ids."""
    from zhengtong.platform.directory import services
    from zhengtong.platform.directory.models import FieldRestriction, Group

    for department, external_id in ((world.city, "hr-city"), (world.office, "hr-office"), (world.water, "hr-water")):
        services.update_department(acting_user=None, department=department, external_id=external_id)
    world.vault = services.create_department(acting_user=None, name="机要室" + world.secret("vault", seen_by=ADMINISTRATORS),
                                             parent=world.city, external_id="hr-vault", is_confidential=True)
    world.keeper = services.create_person(acting_user=None, username="keeper", external_id="hr-keeper",
                                          display_name="机要员" + world.secret("keeper", seen_by=ADMINISTRATORS))
    services.add_membership(acting_user=None, user=world.keeper, department=world.vault)
    # 兼职秘书 works in 机要室 first and in 水资源处 too; 办公室主任 also heads 机要室, which nobody outside may know.
    world.double = services.create_person(acting_user=None, username="double", display_name="兼职秘书")
    services.add_membership(acting_user=None, user=world.double, department=world.vault, is_primary=True)
    services.add_membership(acting_user=None, user=world.double, department=world.water, is_primary=False)
    services.add_membership(acting_user=None, user=world.others["office_head"], department=world.vault, is_leader=True,
                            is_primary=False)
    world.east_vault = services.create_department(
        acting_user=None, name="保密办" + world.secret("eastvault", seen_by=ADMINISTRATORS | {"outsider"}),
        parent=world.east, is_confidential=True)
    services.add_membership(acting_user=None, user=world.people["outsider"], department=world.east_vault, is_primary=False)
    world.head_email = world.secret("heademail", seen_by=ADMINISTRATORS | WATER) + "@water.gov.cn"
    services.update_person(acting_user=None, user=world.people["head"], email=world.head_email)
    world.email_rule = services.create_field_restriction(acting_user=None, field=FieldRestriction.Field.EMAIL,
                                                         subjects=FieldRestriction.Subjects.LEADERS,
                                                         audience=FieldRestriction.Audience.SAME_DEPARTMENT)
    world.flood_group = services.create_group(acting_user=None, name="防汛工作组", kind=Group.Kind.PROJECT, unit=world.city)
    for member, leads in ((world.people["author"], True), (world.people["clerk"], False), (world.keeper, False)):
        services.add_group_member(acting_user=None, group=world.flood_group, user=member, is_leader=leads)
    world.east_group = services.create_group(acting_user=None, name="东区河长办", kind=Group.Kind.PROJECT, unit=world.east)
    services.add_group_member(acting_user=None, group=world.east_group, user=world.people["outsider"])
    world.old_department = services.create_department(acting_user=None, name="旧科室", parent=world.city, external_id="hr-old")
    services.update_department(acting_user=None, department=world.old_department, is_active=False)
    world.engineer = services.create_post(acting_user=None, department=world.water, name="工程师", external_id="hr-engineer")
    world.retired = services.create_person(acting_user=None, username="retired", display_name="退休老张", external_id="hr-retired")
    services.add_membership(acting_user=None, user=world.retired, department=world.water)
    services.disable_person(acting_user=None, user=world.retired, reason="退休")
    for user, external_id in ((world.people["author"], "hr-author"), (world.people["registrar"], "hr-registrar")):
        services.update_person(acting_user=None, user=user, external_id=external_id)
    # The clerk has called the keeper: their recent and frequent contacts must still not show a hidden person.
    services.record_contact_use(owner=world.people["clerk"], contact=world.keeper)


# --- Checks: lists show only what the reader may see, and their counts agree -------------------


def _ids(response: HttpResponse) -> list[int]:
    return [item["id"] for item in json.loads(response.content)]


@answered
def _tree_hides_confidential(world: World, persona: str, response: HttpResponse) -> None:
    shown = set(_ids(response))
    assert world.vault.pk not in shown, "the tree lists the confidential 机要室"
    assert (world.east_vault.pk in shown) == (persona == "outsider"), "only its member sees 东区's 保密办 in the tree"
    assert {world.city.pk, world.water.pk, world.east.pk} <= shown, "the tree leaves out departments everyone may see"


@answered
def _water_members(world: World, persona: str, response: HttpResponse) -> None:
    body = json.loads(response.content)
    assert {member["id"] for member in body["members"]} == {world.people[name].pk for name in WATER} | {world.double.pk}
    head = next(member for member in body["members"] if member["id"] == world.people["head"].pk)
    assert (head["email"] == world.head_email) == (persona in WATER), "the head's e-mail is for 水资源处 only"
    assert world.vault.pk not in {child["id"] for child in body["children"]}


@answered
def _city_page_hides_vault(world: World, persona: str, response: HttpResponse) -> None:
    assert f"/directory/departments/{world.vault.pk}/" not in response.content.decode(), "the page links the confidential 机要室"


def _page_count(response: HttpResponse) -> int:
    match = re.search(r'<span class="count">(\d+)</span>', response.content.decode())
    assert match, "the page shows no count"
    return int(match.group(1))


@answered
def _water_page_counts_four(world: World, persona: str, response: HttpResponse) -> None:
    assert _page_count(response) == 4, "水资源处 has four people at work (the retired one is not counted)"


@answered
def _flood_group_hides_keeper(world: World, persona: str, response: HttpResponse) -> None:
    if response["Content-Type"].startswith("application/json"):
        members = [member["id"] for member in json.loads(response.content)["members"]]
        assert members == [world.people["author"].pk, world.people["clerk"].pk], f"members shown: {members}"
    else:
        assert _page_count(response) == 2, "the group's count includes the hidden keeper"


@answered
def _groups_listed(world: World, persona: str, response: HttpResponse) -> None:
    listed = set(_ids(response))
    assert {world.flood_group.pk, world.east_group.pk} <= listed


@answered
def _search_finds_nobody(world: World, persona: str, response: HttpResponse) -> None:
    assert _ids(response) == [], "a search on a confidential department's name finds its people"


@answered
def _search_shows_membership_to_member_only(world: World, persona: str, response: HttpResponse) -> None:
    expected = [world.people["outsider"].pk] if persona == "outsider" else []
    assert _ids(response) == expected, "searching 保密办 tells who works there"


@answered
def _page_search_shows_membership_to_member_only(world: World, persona: str, response: HttpResponse) -> None:
    listed = set(map(int, re.findall(r'href="/directory/people/(\d+)/"', response.content.decode())))
    expected = {world.people["outsider"].pk} if persona == "outsider" else set()
    assert listed == expected, "searching 保密办 tells who works there"


@answered
def _page_search_finds_nobody(world: World, persona: str, response: HttpResponse) -> None:
    assert "/directory/people/" not in response.content.decode(), "the search lists people of a confidential department"


@answered
def _leaders_are_the_head(world: World, persona: str, response: HttpResponse) -> None:
    assert _ids(response) == [world.people["head"].pk], "the leaders are not 水资源处's head"


@answered
def _my_department(world: World, persona: str, response: HttpResponse) -> None:
    expected = {"outsider": world.east_office, "clerk": world.water, "head": world.water, "author": world.water,
                "registrar": world.office}[persona]
    assert json.loads(response.content)["id"] == expected.pk


# --- Request bodies ------------------------------------------------------------------------------


def _new_group(world: World) -> dict[str, Any]:
    return {"name": "抗旱工作组", "kind": "project", "unit": world.city.pk, "description": "旱情期间"}


def _confidential_office(world: World) -> dict[str, Any]:
    return {"department": world.office.pk, "confidential": "1"}


SEARCH_VAULT = {"q": "机要"}

ROWS = [
    # The contacts tab (ui:directory, its rows in ui's matrix) searches through the directory: what it must not find.
    Row("GET", "/contacts/", READERS, data=SEARCH_VAULT, check=_page_search_finds_nobody),
    Row("GET", "/contacts/", READERS, data={"q": "保密办"}, check=_page_search_shows_membership_to_member_only),
    Row("GET", "/directory/departments/{w.city.pk}/", READERS, check=_city_page_hides_vault),
    Row("GET", "/directory/departments/{w.water.pk}/", READERS, check=_water_page_counts_four),
    Row("GET", "/directory/departments/{w.vault.pk}/", HIDDEN),
    Row("GET", "/directory/departments/{w.east_office.pk}/", READERS),  # the outsider's card without their post in 保密办
    Row("GET", "/directory/departments/{w.east_vault.pk}/", expect(404, outsider=200, secadmin=403, auditor=403)),
    # To one's own department, or (the system administrator, in none) to the contacts tab.
    Row("GET", "/directory/mine/", expect(302, secadmin=403, auditor=403)),
    Row("GET", "/directory/people/{w.people[head].pk}/", READERS),
    Row("GET", "/directory/people/{w.keeper.pk}/", HIDDEN),
    Row("GET", "/directory/people/{w.people[outsider].pk}/", READERS),  # without the post in 东区's 保密办 (but to themself)
    Row("GET", "/directory/people/{w.retired.pk}/", HIDDEN),  # who has left is not in the directory
    Row("GET", "/directory/departments/{w.old_department.pk}/", HIDDEN),  # nor is a disabled department
    Row("POST", "/directory/people/{w.people[head].pk}/used/", expect(204, secadmin=403, auditor=403)),
    Row("POST", "/directory/people/{w.keeper.pk}/used/", HIDDEN),
    Row("GET", "/directory/groups/", READERS),
    Row("GET", "/directory/groups/new/", SYSADMIN),
    Row("POST", "/directory/groups/new/", SYSADMIN_DONE, data=_new_group),
    Row("POST", "/directory/groups/new/", only("sysadmin", status=400), data={"name": "", "kind": "project"}),
    Row("GET", "/directory/groups/{w.flood_group.pk}/", READERS, check=_flood_group_hides_keeper),
    Row("POST", "/directory/groups/{w.flood_group.pk}/members/", SYSADMIN_DONE, data={"person": "registrar"}),
    Row("POST", "/directory/groups/{w.flood_group.pk}/members/", only("sysadmin", status=400), data={"person": "nobody-here"}),
    Row("POST", "/directory/groups/{w.flood_group.pk}/members/{w.people[clerk].pk}/remove/", SYSADMIN_DONE),
    Row("GET", "/directory/visibility/", only("secadmin")),
    Row("POST", "/directory/visibility/restrictions/", SECADMIN_DONE,
        data={"field": "mobile", "subjects": "everyone", "audience": "same_unit"}),
    Row("POST", "/directory/visibility/restrictions/", only("secadmin", status=400),
        data={"field": "mobile", "subjects": "department", "audience": "same_unit"}),  # which department: the form asks
    Row("POST", "/directory/visibility/restrictions/{w.email_rule.pk}/delete/", SECADMIN_DONE),
    Row("POST", "/directory/visibility/confidential/", SECADMIN_DONE, data=_confidential_office),
    # The read API.
    Row("GET", "/api/directory/tree", READERS, check=_tree_hides_confidential),
    Row("GET", "/api/directory/departments/{w.water.pk}", READERS, check=_water_members),
    Row("GET", "/api/directory/departments/{w.vault.pk}", HIDDEN),
    Row("GET", "/api/directory/departments/{w.east_vault.pk}", expect(404, outsider=200, secadmin=403, auditor=403)),
    Row("GET", "/api/directory/me/department", expect(200, sysadmin=404, secadmin=403, auditor=403), check=_my_department),
    Row("GET", "/api/directory/people/{w.people[head].pk}", READERS),
    Row("GET", "/api/directory/people/{w.keeper.pk}", HIDDEN),
    Row("GET", "/api/directory/people/{w.people[outsider].pk}", READERS),
    Row("GET", "/api/directory/people/{w.people[clerk].pk}/leaders", READERS, check=_leaders_are_the_head),
    Row("GET", "/api/directory/people/{w.keeper.pk}/leaders", HIDDEN),
    # Superiors as the reader may see the organisation: the head of 水资源处, not of the hidden 机要室.
    Row("GET", "/api/directory/people/{w.double.pk}/leaders", READERS, check=_leaders_are_the_head),
    Row("GET", "/api/directory/search", READERS, data=SEARCH_VAULT, check=_search_finds_nobody),
    Row("GET", "/api/directory/search", READERS, data={"q": "keeper"}, check=_search_finds_nobody),  # by username
    Row("GET", "/api/directory/search", READERS, data={"q": "保密办"}, check=_search_shows_membership_to_member_only),
    Row("GET", "/api/directory/groups", READERS, check=_groups_listed),
    Row("GET", "/api/directory/groups/{w.flood_group.pk}", READERS, check=_flood_group_hides_keeper),
    # The sync API: the whole organisation, confidential parts included, by external id.
    Row("GET", "/api/directory/sync/departments", SYSADMIN),
    Row("GET", "/api/directory/sync/departments/hr-vault", SYSADMIN),
    Row("GET", "/api/directory/sync/departments/hr-nowhere", only("sysadmin", status=404)),
    Row("PUT", "/api/directory/sync/departments/hr-water", SYSADMIN, data={"name": "水资源管理处", "parent": "hr-city"}),
    Row("PUT", "/api/directory/sync/departments/hr-new", only("sysadmin", status=201), data={"name": "节水办", "parent": "hr-city"}),
    Row("PUT", "/api/directory/sync/departments/hr-new", only("sysadmin", status=422), data={"name": "节水办", "parent": "hr-nowhere"}),
    # Confidentiality is the security administrator's (三权分立): not the HR system's, not the system administrator's.
    Row("PUT", "/api/directory/sync/departments/hr-new", expect(403),
        data={"name": "节水办", "parent": "hr-city", "is_confidential": True}),
    Row("POST", "/api/directory/sync/departments/hr-water/move", SYSADMIN, data={"parent": "hr-office"}),
    Row("POST", "/api/directory/sync/departments/hr-water/disable", SYSADMIN),
    Row("POST", "/api/directory/sync/departments/hr-old/enable", SYSADMIN),
    Row("GET", "/api/directory/sync/posts", SYSADMIN),
    Row("GET", "/api/directory/sync/posts/hr-engineer", SYSADMIN),
    Row("PUT", "/api/directory/sync/posts/hr-engineer", SYSADMIN, data={"department": "hr-water", "name": "高级工程师"}),
    Row("POST", "/api/directory/sync/posts/hr-engineer/move", SYSADMIN, data={"department": "hr-office"}),
    Row("DELETE", "/api/directory/sync/posts/hr-engineer", only("sysadmin", status=204)),
    Row("GET", "/api/directory/sync/people", SYSADMIN),
    Row("GET", "/api/directory/sync/people/hr-keeper", SYSADMIN),
    Row("PUT", "/api/directory/sync/people/hr-author", SYSADMIN, data={"username": "author", "display_name": "拟稿人王小华"}),
    Row("PUT", "/api/directory/sync/people/hr-author", only("sysadmin", status=422),
        data={"username": "author", "display_name": "拟稿人王小华", "status": "bogus"}),
    Row("PUT", "/api/directory/sync/people/hr-author", only("sysadmin", status=409), data={"username": "renamed", "display_name": "改名"}),
    Row("PUT", "/api/directory/sync/people/hr-registrar/memberships", SYSADMIN,
        data=[{"department": "hr-office", "is_primary": True}, {"department": "hr-water"}]),
    Row("POST", "/api/directory/sync/people/hr-author/disable", SYSADMIN, data={"reason": "调离"}),
    Row("POST", "/api/directory/sync/people/hr-retired/enable", SYSADMIN),
    Row("GET", "/api/directory/sync/changes", SYSADMIN),
]
