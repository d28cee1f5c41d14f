"""The administrator's calendar pages and API: permissions, entering days and years, bad input."""

import json
from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from zhengtong.platform.audit.models import AuditRecord
from zhengtong.platform.workdays import calendar, services
from zhengtong.platform.workdays.models import CalendarDay, CalendarYear, MissingYear
from zhengtong.testing import assert_access_matrix

pytestmark = pytest.mark.django_db


def _csrf_post(client: Any, url: str, data: dict[str, Any]) -> Any:
    client.get("/workdays/2025/")
    return client.post(url, {**data, "csrfmiddlewaretoken": client.cookies["zt_csrf"].value})


def test_pages_are_the_system_administrators(client_for: Any, sysadmin: Any, clerk: Any, secadmin: Any, auditor: Any) -> None:
    assert_access_matrix(client_for, "GET", "/workdays/2025/", allowed=[sysadmin], denied=[clerk, secadmin, auditor])
    assert_access_matrix(client_for, "POST", "/workdays/2025/day/", denied=[clerk, secadmin, auditor])
    assert_access_matrix(client_for, "POST", "/workdays/2025/day/remove/", denied=[clerk, secadmin, auditor])
    assert_access_matrix(client_for, "POST", "/workdays/2025/import/", denied=[clerk, secadmin, auditor])
    assert client_for(sysadmin).get("/workdays/").status_code == 302


@pytest.mark.parametrize("method, url, data", [
    ("GET", "/api/workdays/calendar/2025", None),
    ("GET", "/api/workdays/deadline?start=2025-09-26&days=20", None),
    ("GET", "/api/workdays/deadline/hours?start=2025-09-26T09:00:00%2B08:00&hours=4", None),
    ("GET", "/api/workdays/between?start=2025-09-26&end=2025-10-30", None),
    ("POST", "/api/workdays/days", {"date": "2025-11-15", "kind": "workday", "name": "调休"}),
])
def test_api_is_the_system_administrators(api_for: Any, sysadmin: Any, clerk: Any, secadmin: Any, auditor: Any, method: str, url: str,
                                          data: Any) -> None:
    assert_access_matrix(api_for, method, url, data=data, allowed=[sysadmin], denied=[clerk, secadmin, auditor])


def test_api_delete_and_import_are_the_system_administrators(api_for: Any, sysadmin: Any, clerk: Any, secadmin: Any, auditor: Any,
                                                             year_2027_csv: bytes) -> None:
    assert_access_matrix(api_for, "DELETE", "/api/workdays/days/2025-10-01", allowed=[sysadmin], denied=[clerk, secadmin, auditor],
                         allowed_status=204)
    for user in (None, clerk, secadmin, auditor):
        response = api_for(user).post("/api/workdays/years/2027/import", {"file": SimpleUploadedFile("2027.csv", year_2027_csv)})
        assert response.status_code == (401 if user is None else 403)
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_the_calendar_page_shows_month_grids_with_holidays_and_make_up_days(client_for: Any, sysadmin: Any) -> None:
    body = client_for(sysadmin).get("/workdays/2026/").content.decode()
    assert body.count('class="month-grid"') == 12
    assert 'class="rest holiday"><a href="?day=2026-02-17#day-form"' in body
    assert 'class="workday makeup"><a href="?day=2026-02-14#day-form"' in body
    assert "<script" not in body.split("<main")[1].split("</main>")[0] and "style=" not in body


def test_the_page_for_a_year_without_data_says_so_and_is_not_an_alert(client_for: Any, sysadmin: Any) -> None:
    body = client_for(sysadmin).get("/workdays/2027/").content.decode()
    assert 'class="rest holiday provisional"><a href="?day=2027-10-01#day-form"' in body
    assert 'class="workday provisional"><a href="?day=2027-10-04#day-form"' in body
    assert not MissingYear.objects.exists()


def test_alerts_list_years_deadlines_needed(client_for: Any, sysadmin: Any) -> None:
    calendar.add_working_days(date(2026, 12, 20), 20)
    body = client_for(sysadmin).get("/workdays/2026/").content.decode()
    assert 'id="alerts"' in body and 'href="/workdays/2027/"' in body


def test_setting_and_removing_a_day_on_the_page(client_for: Any, sysadmin: Any) -> None:
    client = client_for(sysadmin)
    response = _csrf_post(client, "/workdays/2025/day/", {"day": "2025-11-15", "kind": "workday", "name": "调休", "origin": "local",
                                                          "source": "本级通知"})
    assert response.status_code == 302 and response["Location"] == "/workdays/2025/"
    row = CalendarDay.objects.get(day=date(2025, 11, 15))
    assert (row.kind, row.origin, row.created_by) == ("workday", "local", sysadmin)
    assert AuditRecord.objects.filter(action="workdays.day_set", actor_id=sysadmin.pk).exists()
    chosen = client.get("/workdays/2025/?day=2025-11-15")
    assert chosen.context["day_form"].initial == {"day": "2025-11-15", "kind": "workday", "name": "调休", "origin": "local",
                                                  "source": "本级通知"}
    response = _csrf_post(client, "/workdays/2025/day/remove/", {"day": "2025-11-15"})
    assert response.status_code == 302 and not CalendarDay.objects.filter(day=date(2025, 11, 15)).exists()
    assert AuditRecord.objects.filter(action="workdays.day_removed").exists()


def test_a_bad_day_form_changes_nothing(client_for: Any, sysadmin: Any) -> None:
    response = _csrf_post(client_for(sysadmin), "/workdays/2025/day/", {"day": "2025-13-45", "kind": "holiday", "origin": "package"})
    assert response.status_code == 400 and {"day", "origin"} <= set(response.context["day_form"].errors)


def test_importing_a_year_from_a_file_on_the_page(client_for: Any, sysadmin: Any, year_2027_csv: bytes) -> None:
    response = _csrf_post(client_for(sysadmin), "/workdays/2027/import/", {"file": SimpleUploadedFile("2027.csv", year_2027_csv)})
    assert response.status_code == 302
    entry = CalendarYear.objects.get(year=2027)
    assert entry.origin == "notice" and entry.source.startswith("TEST FIXTURE")
    assert CalendarDay.objects.filter(day__year=2027).count() == 3
    assert calendar.is_workday(date(2027, 2, 20)).provenance == "override"
    assert not calendar.add_working_days(date(2026, 12, 20), 20).provisional


def test_pasting_the_lines_on_the_page(client_for: Any, sysadmin: Any, year_2027_csv: bytes) -> None:
    response = _csrf_post(client_for(sysadmin), "/workdays/2027/import/", {"text": year_2027_csv.decode()})
    assert response.status_code == 302 and CalendarYear.objects.filter(year=2027).exists()


BAD_FILE = """source,测试
date,kind,name
2027-01-01,holiday,元旦
2027-02-30,holiday,春节
2026-12-31,holiday,跨年
2027-03-01,rest,休息
2027-01-01,holiday,重复
"""


def test_a_file_with_bad_rows_lists_them_and_changes_nothing(client_for: Any, sysadmin: Any) -> None:
    response = _csrf_post(client_for(sysadmin), "/workdays/2027/import/", {"file": SimpleUploadedFile("2027.csv", BAD_FILE.encode())})
    assert response.status_code == 400
    problems = response.context["problems"]
    assert len(problems) == 4 and all(str(line) in problem for line, problem in zip((4, 5, 6, 7), problems, strict=True))
    assert "2027-02-30" in problems[0] and "rest" in problems[2]
    assert not CalendarYear.objects.filter(year=2027).exists() and not CalendarDay.objects.filter(day__year=2027).exists()


def test_api_import_json_and_errors(api_for: Any, sysadmin: Any, year_2027_json: bytes) -> None:
    client = api_for(sysadmin)
    response = client.post("/api/workdays/years/2027/import", {"file": SimpleUploadedFile("2027.csv", BAD_FILE.encode())})
    assert response.status_code == 422 and response.json()["error"] == "invalid_file" and len(response.json()["fields"]["rows"]) == 4
    response = client.post("/api/workdays/years/2027/import", {"file": SimpleUploadedFile("2027.json", b"{not json")})
    assert response.status_code == 422 and response.json()["error"] == "invalid_file"
    no_source = json.dumps({"days": [{"date": "2027-01-01", "kind": "holiday"}]}).encode()
    response = client.post("/api/workdays/years/2027/import", {"file": SimpleUploadedFile("2027.json", no_source)})
    assert response.status_code == 422 and len(response.json()["fields"]["rows"]) == 1  # only the missing source
    assert not CalendarYear.objects.filter(year=2027).exists()
    response = client.post("/api/workdays/years/2027/import", {"file": SimpleUploadedFile("2027.json", year_2027_json)})
    assert response.status_code == 200 and response.json() == {"year": 2027, "stored": 3, "removed": 0, "kept_local": []}
    calendar_year = client.get("/api/workdays/calendar/2027").json()
    assert calendar_year["authoritative"] and [day["date"] for day in calendar_year["days"]] == ["2027-01-01", "2027-01-04", "2027-02-20"]


def test_importing_keeps_local_adjustments_and_replaces_package_days(sysadmin: Any) -> None:
    services.set_day(acting_user=sysadmin, day=date(2026, 3, 2), kind="holiday", name="地方", origin="local")
    content = "source,国办发明电（测试）\n2026-01-01,holiday,元旦\n2026-03-02,holiday,冲突\n".encode()
    result = services.import_year(acting_user=sysadmin, year=2026, content=content, filename="2026.csv")
    assert (result.stored, result.kept_local) == (1, [date(2026, 3, 2)]) and result.removed > 30
    assert CalendarDay.objects.get(day=date(2026, 3, 2)).name == "地方"
    assert not CalendarDay.objects.filter(day=date(2026, 2, 14)).exists()
    # The year is now the administrators': a package sync leaves it alone.
    assert services.sync_package().changed_days == []
    assert not CalendarDay.objects.filter(day=date(2026, 2, 14)).exists()


def test_the_deadline_api(api_for: Any, sysadmin: Any) -> None:
    client = api_for(sysadmin)
    assert client.get("/api/workdays/deadline?start=2025-09-26&days=20").json() == {
        "start": "2025-09-26", "days": 20, "unit": "working", "due": "2025-10-30", "provisional": False}
    assert client.get("/api/workdays/deadline?start=2026-12-20&days=20").json()["provisional"] is True
    natural = client.get("/api/workdays/deadline?start=2025-09-21&days=10&unit=natural&roll_to_workday=true").json()
    assert natural["due"] == "2025-10-09"
    hours = client.get("/api/workdays/deadline/hours", {"start": "2025-09-30T20:00:00+08:00", "hours": 24}).json()
    assert hours["due_at"].startswith("2025-10-01T20:00:00") and hours["provisional"] is False
    assert client.get("/api/workdays/between?start=2025-09-26&end=2025-10-30").json()["working_days"] == 20


@pytest.mark.parametrize("url", [
    "/api/workdays/deadline?start=1899-01-01&days=5",
    "/api/workdays/deadline?start=2025-02-30&days=5",
    "/api/workdays/deadline?start=2025-01-01&days=-1",
    "/api/workdays/deadline?start=2099-12-30&days=40",
    "/api/workdays/calendar/3000",
    "/api/workdays/deadline/hours?start=2025-01-01T09:00:00&hours=1",
])
def test_api_refuses_bad_dates_with_4xx(api_for: Any, sysadmin: Any, url: str) -> None:
    assert 400 <= api_for(sysadmin).get(url).status_code < 500


def test_api_day_changes(api_for: Any, sysadmin: Any) -> None:
    client = api_for(sysadmin)
    response = client.post("/api/workdays/days", {"date": "2025-11-15", "kind": "workday", "name": "调休", "origin": "local"},
                           content_type="application/json")
    assert response.status_code == 200 and response.json()["origin"] == "local"
    assert client.post("/api/workdays/days", {"date": "1900-01-01", "kind": "holiday"}, content_type="application/json").status_code == 422
    assert client.delete("/api/workdays/days/2025-11-15").status_code == 204
    assert client.delete("/api/workdays/days/2025-11-15").status_code == 404


def test_out_of_range_pages_are_404(client_for: Any, sysadmin: Any) -> None:
    assert client_for(sysadmin).get("/workdays/1999/").status_code == 404


def test_removing_a_day_through_an_out_of_range_year_is_404_and_keeps_the_day(client_for: Any, sysadmin: Any) -> None:
    services.set_day(acting_user=sysadmin, day=date(2025, 11, 15), kind="workday", name="调休", origin="local")
    for year in (1999, 2100):
        assert _csrf_post(client_for(sysadmin), f"/workdays/{year}/day/remove/", {"day": "2025-11-15"}).status_code == 404
    assert CalendarDay.objects.filter(day=date(2025, 11, 15)).exists()


def test_package_sync_command_is_idempotent_and_audited_only_on_change(sysadmin: Any, capsys: Any) -> None:
    call_command("workdays_sync_package")
    assert "new years none; 0 days changed" in capsys.readouterr().out
    assert not AuditRecord.objects.filter(action="workdays.package_synced").exists()
    CalendarDay.objects.filter(day=date(2025, 10, 1)).delete()
    CalendarYear.objects.filter(year=2004).delete()
    call_command("workdays_sync_package")
    assert "new years 2004; 1 days changed" in capsys.readouterr().out
    assert CalendarDay.objects.get(day=date(2025, 10, 1)).origin == "package"
    assert AuditRecord.objects.filter(action="workdays.package_synced").count() == 1


def test_the_administrators_app_tile(client_for: Any, sysadmin: Any, clerk: Any) -> None:
    assert "/workdays/" in client_for(sysadmin).get("/apps/").content.decode()
    assert "/workdays/" not in client_for(clerk).get("/apps/").content.decode()


@pytest.mark.parametrize("value", ["2025-xx-01", "2024-10-01", ""])
def test_a_picked_day_that_is_not_a_date_of_the_year_is_ignored(client_for: Any, sysadmin: Any, value: str) -> None:
    response = client_for(sysadmin).get("/workdays/2025/", {"day": value})
    assert response.status_code == 200 and response.context["day_form"].initial == {}
