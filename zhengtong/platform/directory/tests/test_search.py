"""Directory search: names, pinyin, initials, mixed, departments, posts, groups; order; visibility; the index kept in step."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import make_person
from zhengtong.platform.directory import search, services
from zhengtong.platform.directory.models import Department, Post, SearchTerm
from zhengtong.platform.directory.search import Match, search_people

POLYPHONIC = (
    # name, username, surname reading (prefix), another reading of the surname (prefix)
    ("单宁", "u_shan", "shann", "dann"),
    ("曾德明", "u_zeng", "zengd", "cengd"),
    ("解小军", "u_xie", "xiex", "jiex"),
    ("区晓东", "u_ou", "oux", "qux"),
    ("仇云", "u_qiu", "qiuy", "chouy"),
    ("查文", "u_zha", "zhaw", "chaw"),
    ("朴树", "u_piao", "piaos", "pus"),
    ("尉迟敬德", "u_yuchi", "yuchij", "weichij"),
)


@pytest.fixture
def org(db):
    unit = services.create_department(acting_user=None, name="市水务局", kind=Department.Kind.UNIT)
    office = services.create_department(acting_user=None, name="办公室", parent=unit)
    water = services.create_department(acting_user=None, name="水资源管理处", short_name="水资源处", parent=unit)
    secret = services.create_department(acting_user=None, name="机要科", parent=unit, is_confidential=True)
    director = services.create_post(acting_user=None, department=office, name="主任")
    clerk = services.create_post(acting_user=None, department=water, name="科员")
    people = {}

    def place(username, name, department, post=None, **fields):
        people[username] = make_person(username, name, roles=("staff",))
        services.add_membership(acting_user=None, user=people[username], department=department, post=post, **fields)
        return people[username]

    place("viewer", "路人甲", office)
    for name, username, _surname, _other in POLYPHONIC:
        place(username, name, water, clerk)
    place("zhangsan", "张三", office, director)
    place("zsf", "张三丰", water, clerk)
    place("wzs", "王张三", water, clerk)
    place("keeper", "秦芳", secret)
    # In a confidential department and an open one: found, but never through the hidden one.
    both = place("both", "严清", secret)
    services.add_membership(acting_user=None, user=both, department=office, is_primary=False)
    return {"unit": unit, "office": office, "water": water, "secret": secret, "director": director, **people}


def found(org, text, viewer="viewer", **options):
    return search_people(org[viewer], text, **options)


def names(results):
    return [result.user.display_name for result in results]


@pytest.mark.parametrize(("name", "username", "surname_reading", "other_reading"), POLYPHONIC)
def test_polyphonic_surnames_read_as_surnames_and_other_readings_still_found(org, name, username, surname_reading, other_reading):
    by_surname = found(org, surname_reading)
    assert names(by_surname)[:1] == [name]
    assert by_surname[0].kind == SearchTerm.Kind.PINYIN and by_surname[0].match == Match.PREFIX
    assert name in names(found(org, other_reading))
    # The surname reading is the preferred one, so it also gives the initials.
    readings, _parts = search.name_readings(name)
    assert "".join(readings[0]).startswith(surname_reading)
    assert name in names(found(org, "".join(syllable[0] for syllable in readings[0])))


def test_preferred_reading_before_alternative(org):
    services.create_department(acting_user=None, name="丹明组", parent=org["unit"])
    dan = make_person("danming", "丹明", roles=("staff",))
    shan = make_person("shanming", "单明", roles=("staff",))
    for person in (shan, dan):
        services.add_membership(acting_user=None, user=person, department=org["office"])
    results = found(org, "danming")
    assert names(results)[:2] == ["丹明", "单明"]  # 丹 reads dan; 单 reads dan only outside surnames
    assert {result.match for result in results[:2]} == {Match.EXACT}
    assert names(found(org, "shanming"))[:1] == ["单明"]


def test_full_pinyin_initials_and_mixed(org):
    exact = found(org, "zhangsan")
    assert (names(exact)[0], exact[0].match) == ("张三", Match.EXACT)
    assert "张三丰" in names(exact)
    initials = found(org, "zs")
    assert (names(initials)[0], initials[0].kind, initials[0].match) == ("张三", SearchTerm.Kind.INITIALS, Match.EXACT)
    for mixed in ("zhangs", "张s", "张 S", "zhang三"):
        results = found(org, mixed)
        assert names(results)[:2] == ["张三", "张三丰"], mixed
    assert names(found(org, "ZhangSanFeng")) == ["张三丰"]
    assert names(found(org, "u_shan")) == ["单宁"]


def test_exact_before_prefix_before_fuzzy(org):
    results = found(org, "张三")
    assert [(result.user.display_name, result.match) for result in results] == [
        ("张三", Match.EXACT), ("张三丰", Match.PREFIX), ("王张三", Match.FUZZY)]
    # Contains on pinyin too: syllable tails of the name.
    assert "王张三" in names(found(org, "zhangsan"))
    assert ("曾德明", Match.FUZZY) in [(r.user.display_name, r.match) for r in found(org, "ming")]


def test_department_post_and_group(org):
    water_people = {name for name, *_rest in POLYPHONIC} | {"张三丰", "王张三"}
    for text, match in (("水资源管理处", Match.EXACT), ("水资源处", Match.EXACT), ("水资源", Match.PREFIX), ("管理处", Match.FUZZY)):
        results = found(org, text, limit=50)
        assert set(names(results)) == water_people, text
        assert {result.match for result in results} == {match}, text
    assert names(found(org, "主任")) == ["张三"]
    assert found(org, "主任")[0].kind == SearchTerm.Kind.POST
    group = services.create_group(acting_user=None, name="防汛应急小组", kind="emergency")
    services.add_group_member(acting_user=None, group=group, user=org["u_qiu"])
    assert [(r.user.display_name, r.kind) for r in found(org, "防汛应急")] == [("仇云", SearchTerm.Kind.GROUP)]
    assert names(found(org, "应急小组")) == ["仇云"]


def test_disabled_people_excluded_unless_asked(org):
    person = org["zhangsan"]
    person.is_active = False
    person.save(update_fields=["is_active"])
    assert "张三" not in names(found(org, "zhangsan"))
    assert "张三" in names(found(org, "zhangsan", include_disabled=True))
    person.is_active = True
    person.save()
    assert "张三" in names(found(org, "zhangsan"))


def test_confidential_department_hides_its_people_and_its_terms(org):
    for text in ("秦芳", "qinfang", "机要科", "机要"):
        assert found(org, text) == [], text
    # Someone also placed in an open department is found by name, without the hidden post.
    [result] = found(org, "严清")
    assert [m.department.name for m in result.memberships] == ["办公室"]
    # Their own people see them, and the department.
    assert names(found(org, "秦芳", viewer="keeper")) == ["秦芳"]
    assert set(names(found(org, "机要科", viewer="keeper"))) == {"秦芳", "严清"}


def test_results_carry_users_and_memberships_not_contact_fields(org):
    [result] = found(org, "zhangsan", limit=1)
    assert result.user == org["zhangsan"]
    assert [(m.department.name, m.post.name) for m in result.memberships] == [("办公室", "主任")]
    assert not hasattr(result, "mobile")


def test_index_follows_renames_and_membership_changes(org):
    services.update_department(acting_user=None, department=org["water"], name="水资源保护处", short_name="")
    assert found(org, "水资源管理处") == []
    assert len(found(org, "水资源保护处", limit=50)) == len(POLYPHONIC) + 2
    post = Post.objects.get(name="主任")
    post.name = "办公室主任"
    post.save()
    assert names(found(org, "办公室主任")) == ["张三"]
    assert [(r.term, r.match) for r in found(org, "主任")] == [("办公室主任", Match.FUZZY)]
    services.add_membership(acting_user=None, user=org["u_qiu"], department=org["office"], is_primary=False)
    assert "仇云" in names(found(org, "办公室", limit=50))
    person = org["u_zha"]
    person.display_name = "查文华"
    person.save()
    assert names(found(org, "zhawenhua")) == ["查文华"]
    assert search.rebuild_index(progress=False) == 0  # the signals left nothing to repair


def test_rebuild_repairs_the_index(org):
    SearchTerm.objects.filter(user=org["zhangsan"]).delete()
    SearchTerm.objects.create(user=org["viewer"], term="stale", kind=SearchTerm.Kind.NAME)
    assert found(org, "zhangsan")[0].user != org["zhangsan"]
    call_command("directory_reindex", verbosity=0)
    assert names(found(org, "zhangsan"))[0] == "张三"
    assert found(org, "stale") == []
    assert search.rebuild_index(progress=False) == 0


def test_query_count_is_small_and_constant(org, django_assert_max_num_queries):
    found(org, "warm")  # the viewer's visibility is computed once per request
    counts = []
    for text in ("zhangsan", "zs", "张s", "水资源", "u_", "nobody-matches"):
        with CaptureQueriesContext(connection) as queries:
            found(org, text)
        counts.append(len(queries))
    assert max(counts) <= 10, counts
    with django_assert_max_num_queries(10):
        found(org, "管理处", limit=50)


def test_synthetic_organisation_is_indexed_in_bulk(db):
    from zhengtong.demo import load_synthetic

    unit = load_synthetic(60, progress=False)
    viewer = make_person("looker", "看客", roles=("staff",))
    someone = Department.objects.filter(path__startswith=unit.path).exclude(pk=unit.pk).first()
    member = someone.memberships.select_related("user").first().user
    results = search_people(viewer, member.username)
    assert [result.user for result in results] == [member]
    assert search.rebuild_index(progress=False) == 0
