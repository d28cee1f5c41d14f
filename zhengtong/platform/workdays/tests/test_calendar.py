"""Deadline arithmetic: the statutory calendar, the start rule, provisional years, efficiency."""

from datetime import date, datetime, timedelta
from typing import Any

import chinese_calendar
import pytest
from django.test import override_settings

from zhengtong.errors import ServiceError
from zhengtong.platform.audit.models import AuditRecord
from zhengtong.platform.notices.models import NoticeRecipient
from zhengtong.platform.workdays import calendar, services
from zhengtong.platform.workdays.calendar import Provenance
from zhengtong.platform.workdays.models import CalendarDay, CalendarYear, MissingYear

from .conftest import SHANGHAI

pytestmark = pytest.mark.django_db


def test_the_acceptance_example_twenty_working_days_from_2025_09_26() -> None:
    due = calendar.add_working_days(date(2025, 9, 26), 20)
    assert due == calendar.Due(date(2025, 10, 30), False)
    assert chinese_calendar.find_workday(20, date(2025, 9, 26)) == due.day


@pytest.mark.parametrize("start", [date(2024, 12, 20), date(2025, 1, 20), date(2025, 4, 25), date(2025, 9, 26), date(2026, 2, 6),
                                   date(2026, 9, 18)])
@pytest.mark.parametrize("n", [1, 5, 10, 20, 60])
def test_agrees_with_the_package_wherever_the_package_has_data(start: date, n: int) -> None:
    assert calendar.add_working_days(start, n).day == chinese_calendar.find_workday(n, start)


def test_national_day_2025_counts_the_make_up_saturday_and_skips_the_break() -> None:
    # Mon 29 Sep, Tue 30 Sep; 1–8 Oct off; Thu 9, Fri 10, Sat 11 Oct (make-up).
    assert calendar.add_working_days(date(2025, 9, 28), 5).day == date(2025, 10, 11)
    assert calendar.working_days_between(date(2025, 9, 30), date(2025, 10, 8)).working_days == 0
    assert not calendar.is_workday(date(2025, 10, 6)) and calendar.is_workday(date(2025, 10, 6)).name == "中秋节"
    assert calendar.is_workday(date(2025, 9, 28)).name == "国庆节"


def test_spring_festival_2026_with_the_make_up_days_of_14_and_28_february() -> None:
    # 11, 12, 13, Sat 14 (make-up), 15–23 off, 24, 25, 26, 27, Sat 28 (make-up), Mon 2 Mar.
    assert calendar.add_working_days(date(2026, 2, 10), 10) == calendar.Due(date(2026, 3, 2), False)
    assert calendar.is_workday(date(2026, 2, 14)) and calendar.is_workday(date(2026, 2, 28))
    assert not calendar.is_workday(date(2026, 2, 16))
    assert calendar.is_workday(date(2026, 2, 16)).provenance == Provenance.PACKAGE


def test_a_year_without_data_is_provisional_and_alerts_once() -> None:
    due = calendar.add_working_days(date(2026, 12, 20), 20)
    # Dec 21–25, 28–31 (9); 1 Jan off by the fallback; 4–8 Jan (14); 11–15 (19); 18 Jan (20).
    assert due == calendar.Due(date(2027, 1, 18), True)
    question = MissingYear.objects.get(year=2027)
    assert question.times_asked == 1 and not question.resolved
    calendar.add_working_days(date(2026, 12, 28), 5)
    assert MissingYear.objects.get(year=2027).times_asked == 2
    assert AuditRecord.objects.filter(action="workdays.year_missing", object_id=str(question.pk)).count() == 1


def test_the_fallback_is_not_weekends_only() -> None:
    fact = calendar.is_workday(date(2027, 10, 1))  # a Friday in a year without data
    assert (fact.workday, fact.provenance, fact.name) == (False, Provenance.PROVISIONAL, "国庆节")
    assert not calendar.is_workday(date(2027, 5, 1)) and calendar.is_workday(date(2027, 5, 3))
    assert calendar.is_workday(date(2027, 5, 3)).provenance == Provenance.PROVISIONAL


def test_an_override_turns_a_saturday_into_a_working_day(sysadmin: object) -> None:
    assert calendar.add_working_days(date(2025, 11, 14), 1).day == date(2025, 11, 17)
    services.set_day(acting_user=sysadmin, day=date(2025, 11, 15), kind="workday", name="调休", source="测试")
    fact = calendar.is_workday(date(2025, 11, 15))
    assert fact.workday and fact.provenance == Provenance.OVERRIDE
    assert calendar.add_working_days(date(2025, 11, 14), 1).day == date(2025, 11, 15)


def test_a_local_holiday(sysadmin: object) -> None:
    services.set_day(acting_user=sysadmin, day=date(2025, 11, 17), kind="holiday", name="地方纪念日", origin="local")
    assert CalendarDay.objects.get(day=date(2025, 11, 17)).origin == "local"
    assert calendar.add_working_days(date(2025, 11, 14), 1).day == date(2025, 11, 18)
    assert calendar.working_days_between(date(2025, 11, 14), date(2025, 11, 21)).working_days == 4


def test_natural_days_and_moving_off_a_rest_day() -> None:
    assert calendar.add_natural_days(date(2025, 9, 20), 10) == calendar.Due(date(2025, 9, 30), False)
    assert calendar.add_natural_days(date(2025, 9, 21), 10).day == date(2025, 10, 1)
    assert calendar.add_natural_days(date(2025, 9, 21), 10, roll_to_workday=True).day == date(2025, 10, 9)
    # Saturday 27 Sep rolls to Sunday 28 Sep, a make-up working day.
    assert calendar.add_natural_days(date(2025, 9, 21), 6, roll_to_workday=True).day == date(2025, 9, 28)
    assert calendar.add_natural_days(date(2026, 12, 31), 1, roll_to_workday=True) == calendar.Due(date(2027, 1, 4), True)


def test_hours_are_calendar_hours() -> None:
    start = datetime(2025, 9, 30, 20, 0, tzinfo=SHANGHAI)
    assert calendar.add_hours(start, 24) == calendar.DueTime(start + timedelta(hours=24), False)
    with pytest.raises(ServiceError):
        calendar.add_hours(datetime(2025, 9, 30, 20, 0), 1)  # noqa: DTZ001 - a naive time is the error under test


def test_working_days_between_inverts_add_working_days() -> None:
    assert calendar.working_days_between(date(2025, 9, 26), date(2025, 10, 30)) == calendar.Span(20, False)
    assert calendar.working_days_between(date(2025, 10, 30), date(2025, 9, 26)).working_days == -20
    assert calendar.working_days_between(date(2025, 9, 26), date(2025, 9, 26)).working_days == 0
    assert calendar.working_days_between(date(2026, 12, 25), date(2027, 1, 8)).provisional


@override_settings(WORKDAYS_START_DAY_COUNTS=True)
def test_the_start_day_counts_when_configured() -> None:
    assert calendar.add_working_days(date(2025, 9, 26), 20).day == date(2025, 10, 29)
    assert calendar.add_natural_days(date(2025, 9, 26), 1).day == date(2025, 9, 26)


def test_one_or_two_queries_per_computation(django_assert_max_num_queries: object) -> None:
    with django_assert_max_num_queries(2):  # type: ignore[operator]
        calendar.add_working_days(date(2025, 1, 2), 200)
    with django_assert_max_num_queries(2):  # type: ignore[operator]
        calendar.working_days_between(date(2024, 1, 1), date(2025, 12, 31))


@pytest.mark.parametrize("call", [
    lambda: calendar.add_working_days(date(1999, 12, 31), 1),
    lambda: calendar.add_working_days(date(2099, 12, 20), 30),
    lambda: calendar.is_workday(date(2100, 1, 1)),
    lambda: calendar.add_working_days(date(2025, 1, 1), -1),
])
def test_dates_outside_the_sane_range_and_negative_amounts_are_refused(call: object) -> None:
    with pytest.raises(ServiceError):
        call()  # type: ignore[operator]


def test_the_package_years_are_seeded_on_migrate() -> None:
    assert set(CalendarYear.objects.values_list("year", flat=True)) == set(range(2004, 2027))
    assert CalendarDay.objects.get(day=date(2026, 2, 14)).kind == "workday"
    assert CalendarDay.objects.get(day=date(2025, 10, 1)).name == "国庆节"
    assert set(CalendarDay.objects.values_list("name", flat=True)) <= {"元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节",
                                                                       "抗战胜利70周年纪念日"}


def test_the_system_administrators_are_told_of_a_missing_year_once(sysadmin: Any, clerk: Any) -> None:
    calendar.add_working_days(date(2026, 12, 20), 20)
    calendar.add_working_days(date(2026, 12, 28), 5)
    told = NoticeRecipient.objects.filter(notice__app="workdays", notice__category="system")
    assert [(copy.user.username, copy.notice.title) for copy in told] == [("sysadmin", "工作日历缺少 2027 年的数据")]
    assert told.get().notice.link == "/workdays/" and told.get().notice.priority == "urgent"
