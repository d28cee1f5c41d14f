"""Permission matrix rows for the working-day calendar: the system administrator's, pages and API alike.

The calendar is a setting of the deployment (``settings.manage``). The business apps compute their
deadlines through ``workdays`` on the server, so no staff member needs the API's deadline arithmetic,
and the security and audit administrators have no part in it.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse

from zhengtong.testing.matrix import Row, World, answered, only

SYSADMIN = only("sysadmin")
SYSADMIN_DONE = only("sysadmin", status=302)
SHOWN_YEAR = 2026
# A local adjustment the system administrator entered: there to be shown and removed.
LOCAL_DAY = date(2026, 6, 15)
# A year the import fills; invented dates, as in the app's own fixtures.
IMPORT_YEAR = 2027
IMPORT_CSV = ("source,矩阵测试数据 — invented dates\n"
              "date,kind,name\n"
              "2027-01-01,holiday,元旦\n"
              "2027-02-20,workday,测试调休\n")


def build(world: World) -> None:
    from zhengtong.platform.workdays import services

    world.local_day = services.set_day(acting_user=world.people["sysadmin"], day=LOCAL_DAY, kind="holiday", name="抗洪纪念日",
                                       origin="local", source="市政府通知")




@answered
def _year_lists_local_day(world: World, persona: str, response: HttpResponse) -> None:
    days = {day["date"]: day for day in json.loads(response.content)["days"]}
    assert days.get(LOCAL_DAY.isoformat(), {}).get("origin") == "local", "the year leaves out the local adjustment"


@answered
def _page_shows_local_day(world: World, persona: str, response: HttpResponse) -> None:
    assert "抗洪纪念日" in response.content.decode(), "the year's page leaves out the local adjustment"


@answered
def _due_after_twenty_working_days(world: World, persona: str, response: HttpResponse) -> None:
    # 2025-09-26 + 20 working days crosses the National Day week: 2025-10-30 (the app's own test).
    assert json.loads(response.content)["due"] == "2025-10-30"


def _import_file(world: World) -> dict[str, Any]:
    return {"file": SimpleUploadedFile(f"{IMPORT_YEAR}.csv", IMPORT_CSV.encode(), content_type="text/csv")}


NEW_DAY = {"date": "2026-06-16", "kind": "holiday", "name": "地方假日", "origin": "local", "source": ""}

ROWS = [
    Row("GET", "/workdays/", SYSADMIN_DONE),  # to this year's page
    Row("GET", f"/workdays/{SHOWN_YEAR}/", SYSADMIN, check=_page_shows_local_day),
    Row("GET", "/workdays/1999/", only("sysadmin", status=404)),  # outside the calendar's range
    Row("POST", f"/workdays/{SHOWN_YEAR}/day/", SYSADMIN_DONE, data={**NEW_DAY, "day": NEW_DAY["date"]}),
    Row("POST", f"/workdays/{SHOWN_YEAR}/day/", only("sysadmin", status=400), data={"day": "2026-13-45", "kind": "holiday",
                                                                                    "origin": "package"}),
    Row("POST", f"/workdays/{SHOWN_YEAR}/day/remove/", SYSADMIN_DONE, data={"day": LOCAL_DAY.isoformat()}),
    Row("POST", "/workdays/1999/day/remove/", only("sysadmin", status=404), data={"day": LOCAL_DAY.isoformat()}),
    Row("POST", f"/workdays/{IMPORT_YEAR}/import/", SYSADMIN_DONE, data={"text": IMPORT_CSV}),
    Row("POST", f"/workdays/{IMPORT_YEAR}/import/", only("sysadmin", status=400), data={"text": "date,kind\n2027-02-30,holiday\n"}),
    Row("GET", f"/api/workdays/calendar/{SHOWN_YEAR}", SYSADMIN, check=_year_lists_local_day),
    Row("GET", "/api/workdays/deadline", SYSADMIN, data={"start": "2025-09-26", "days": 20}, check=_due_after_twenty_working_days),
    Row("GET", "/api/workdays/deadline/hours", SYSADMIN, data={"start": "2025-09-30T20:00:00+08:00", "hours": 24}),
    Row("GET", "/api/workdays/between", SYSADMIN, data={"start": "2025-09-26", "end": "2025-10-30"}),
    Row("POST", "/api/workdays/days", SYSADMIN, data=NEW_DAY),
    Row("POST", "/api/workdays/days", only("sysadmin", status=422), data={**NEW_DAY, "date": "1900-01-01"}),
    Row("DELETE", f"/api/workdays/days/{LOCAL_DAY.isoformat()}", only("sysadmin", status=204)),
    Row("DELETE", "/api/workdays/days/2026-06-17", only("sysadmin", status=404)),  # no entry to remove
    Row("POST", f"/api/workdays/years/{IMPORT_YEAR}/import", SYSADMIN, data=_import_file, multipart=True),
]
