"""Import and export of the whole organisation: check everything first, apply once, idempotently."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.utils import translation

from zhengtong.platform.audit.models import AuditRecord
from zhengtong.platform.directory import queries, sync
from zhengtong.platform.directory.models import ChangeEvent, Department, Membership, Person, Post
from zhengtong.platform.directory.tests.sync_org import GOOD, build_by_hand, with_rows, workbook


def _import(tables: dict[str, list[list[Any]]], **options: Any) -> sync.ImportReport:
    return sync.import_file(None, workbook(tables), "xlsx", **options)


def _trail() -> tuple[int, int]:
    return AuditRecord.objects.count(), ChangeEvent.objects.count()


def test_a_good_file_builds_the_organisation(db: Any) -> None:
    report = _import(GOOD)
    assert report.ok, report.errors
    assert report.changes["department.created"] == 4 and report.changes["person.created"] == 3
    zhang = get_user_model().objects.get(username="zhangsan")
    assert not zhang.has_usable_password() and zhang.must_change_password
    assert [d.name for d in queries.departments_of(zhang)] == ["办公室", "规划计划处"]
    assert queries.heads_of(Department.objects.get(external_id="d1")) == [zhang]
    assert not get_user_model().objects.get(username="wangwu").is_active
    assert Membership.objects.filter(user__username="wangwu").exists()  # kept as history
    section = Department.objects.get(external_id="d3")
    assert [d.name for d in queries.ancestors(section)] == ["市水务局", "规划计划处", "综合科"]
    assert AuditRecord.objects.filter(action="directory.imported").count() == 1


def test_reimporting_the_same_file_changes_nothing(db: Any) -> None:
    assert _import(GOOD).ok
    before = _trail()
    report = _import(GOOD)
    assert report.ok and report.changes == {}
    assert _trail() == before


def test_one_bad_row_imports_nothing_and_is_reported(db: Any) -> None:
    people = [*GOOD["人员"][:2], ["e3", "wangwu", "王五", "not-an-address", "", "", "", "是"]]
    report = _import(with_rows(people=people))
    assert not report.ok
    assert [(e.sheet, e.row) for e in report.errors] == [("人员", 4)]
    assert "电子邮箱" in report.errors[0].reason
    assert Department.objects.count() == 0 and get_user_model().objects.count() == 0
    assert _trail() == (0, 0)


def test_every_bad_row_is_reported(db: Any, sysadmin: Any) -> None:
    tables = with_rows(
        departments=[*GOOD["部门"], ["d4", "d5", "department", "甲", "", 0, "", "", "否", "是"],
                     ["d5", "d4", "department", "乙", "", 0, "", "", "否", "是"],
                     ["d1", "u1", "department", "重复", "", "x", "", "", "否", "是"],
                     ["d6", "nowhere", "department", "丙", "", 0, "SWJ", "", "否", "是"]],
        posts=[*GOOD["岗位"], ["p4", "d9", "主任", 0]],
        people=[*GOOD["人员"], ["e4", "sysadmin", "冒名", "", "", "", "", "是"], ["e5", "zhaoliu", "赵六", "", "12345", "", "", "是"],
                ["e6", "", "无名", "", "", "", "", "是"]],
        memberships=[*GOOD["任职"], ["e1", "d3", "", "是", "否", "否", 0, ""], ["e2", "d1", "p3", "否", "否", "否", 0, ""],
                     ["e9", "d1", "", "否", "否", "否", 0, ""]],
    )
    with translation.override("en"):
        report = _import(tables)
    reasons: dict[tuple[str, int], str] = {}
    for error in report.errors:
        reasons[(error.sheet, error.row)] = reasons.get((error.sheet, error.row), "") + error.reason
    assert "cycle" in reasons[("部门", 6)] and "cycle" in reasons[("部门", 7)]
    assert "排序" in reasons[("部门", 8)]
    assert "nowhere" in reasons[("部门", 9)] and "SWJ" in reasons[("部门", 9)]
    assert "d9" in reasons[("岗位", 5)]
    assert "sysadmin" in reasons[("人员", 5)]
    assert "12345" in reasons[("人员", 6)]
    assert "用户名" in reasons[("人员", 7)]
    assert "primary" in reasons[("任职", 6)] and ("任职", 7) in reasons and "e9" in reasons[("任职", 8)]
    assert len(reasons) == 11
    assert Department.objects.count() == 0


def test_changes_are_applied_as_updates_moves_and_departures(db: Any) -> None:
    assert _import(GOOD).ok
    tables = with_rows(
        departments=[*GOOD["部门"][:2], ["d2", "u1", "department", "规划处", "", 2, "", "", "否", "是"],
                     ["d3", "d1", "department", "综合科", "", 1, "", "", "否", "是"]],
        people=[GOOD["人员"][0], ["e2", "lisi", "李四", "", "", "", "", "否"], GOOD["人员"][2]],
        memberships=[GOOD["任职"][0], ["e2", "d3", "", "是", "否", "否", 1, ""], GOOD["任职"][3]],
    )
    report = _import(tables)
    assert report.ok, report.errors
    assert report.changes == {"department.updated": 1, "department.moved": 1, "membership.deleted": 2,
                              "membership.created": 1, "person.disabled": 1}
    lisi = get_user_model().objects.get(username="lisi")
    assert not lisi.is_active and [d.external_id for d in queries.departments_of(lisi)] == ["d3"]
    assert Department.objects.get(external_id="d3").path.startswith(Department.objects.get(external_id="d1").path)


def test_people_missing_from_the_file_are_disabled_only_when_asked(db: Any) -> None:
    assert _import(GOOD).ok
    smaller = with_rows(people=GOOD["人员"][:2], memberships=GOOD["任职"][:3])
    assert _import(smaller).changes == {}
    assert _import(smaller, disable_missing=True).changes == {}  # wangwu, missing, has left already
    fourth = with_rows(people=[*GOOD["人员"], ["e4", "zhaoliu", "赵六", "", "", "", "", "是"]])
    assert _import(fourth).changes == {"person.created": 1}
    assert _import(GOOD, disable_missing=True).changes == {"person.disabled": 1}
    assert not get_user_model().objects.get(username="zhaoliu").is_active


def test_dry_run_reports_and_rolls_back(db: Any) -> None:
    report = _import(GOOD, dry_run=True)
    assert report.ok and report.changes["person.created"] == 3
    assert Department.objects.count() == 0 and _trail() == (0, 0)


@pytest.mark.parametrize("fmt", ["xlsx", "zip", "dir"])
def test_round_trip_into_an_empty_database(db: Any, fmt: str, tmp_path: Path) -> None:
    build_by_hand()
    first = _export(fmt, tmp_path / "first")
    Membership.objects.all().delete()
    Person.objects.all().delete()
    Post.objects.all().delete()
    for department in Department.objects.order_by("-depth"):
        department.delete()
    get_user_model().objects.all().delete()
    report = sync.import_file(None, first if isinstance(first, Path) else io.BytesIO(first), fmt)
    assert report.ok, report.errors
    second = _export(fmt, tmp_path / "second")
    assert _tables(first, fmt) == _tables(second, fmt)
    li = get_user_model().objects.get(username="lisi")
    assert li.display_name == "-李四" and not li.is_active and Membership.objects.filter(user=li).exists()
    assert Department.objects.get(name="机要科").is_confidential
    assert Person.objects.get(user__username="zhangsan").office_phone == "=1+2"


def _export(fmt: str, folder: Path) -> bytes | Path:
    if fmt == "dir":
        sync.export(None, folder, fmt)
        return folder
    data = io.BytesIO()
    sync.export(None, data, fmt)
    return data.getvalue()


def _tables(exported: bytes | Path, fmt: str) -> Any:
    return sync._raw_tables(exported if isinstance(exported, Path) else io.BytesIO(exported), fmt)


def test_csv_is_excel_ready_and_escapes_formulas(db: Any) -> None:
    build_by_hand()
    data = io.BytesIO()
    sync.export(None, data, "zip")
    with zipfile.ZipFile(data) as archive:
        people = archive.read("人员.csv")
    assert people.startswith(b"\xef\xbb\xbf")
    text = people.decode("utf-8-sig")
    assert "'=1+2" in text and "'-李四" in text and "\r\n" in text
    assert AuditRecord.objects.filter(action="directory.exported").exists()


def test_only_sync_holders_import_and_export(db: Any, clerk: Any, sysadmin: Any) -> None:
    with pytest.raises(PermissionDenied):
        sync.import_file(clerk, workbook(GOOD), "xlsx")
    with pytest.raises(PermissionDenied):
        sync.export(clerk, io.BytesIO(), "xlsx")
    assert sync.import_file(sysadmin, workbook(GOOD), "xlsx").ok
    assert AuditRecord.objects.filter(action="directory.person_created", actor_id=sysadmin.pk).count() == 3


def test_a_file_that_is_not_a_workbook(db: Any) -> None:
    report = sync.import_file(None, io.BytesIO(b"hello"), "xlsx")
    assert not report.ok and report.errors[0].row == 0


def test_commands(db: Any, tmp_path: Path, capsys: Any) -> None:
    good, bad = tmp_path / "good.xlsx", tmp_path / "bad.xlsx"
    good.write_bytes(workbook(GOOD).getvalue())
    bad.write_bytes(workbook(with_rows(posts=[["p1", "nowhere", "主任", 1]])).getvalue())
    with pytest.raises(CommandError):
        call_command("directory_import", str(bad))
    assert "岗位" in capsys.readouterr().err
    call_command("directory_import", str(good), "--dry-run")
    assert Department.objects.count() == 0
    call_command("directory_import", str(good))
    assert Department.objects.count() == 4
    call_command("directory_export", str(tmp_path / "out"))
    assert (tmp_path / "out" / "部门.csv").exists()
    call_command("directory_export", str(tmp_path / "out.xlsx"))
    capsys.readouterr()
    call_command("directory_import", str(tmp_path / "out.xlsx"))
    assert "department.created" not in capsys.readouterr().out
