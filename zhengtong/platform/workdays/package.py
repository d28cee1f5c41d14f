"""What the installed ``chinesecalendar`` package says, as calendar rows."""

from __future__ import annotations

from datetime import date

import chinese_calendar

from zhengtong.platform.workdays.models import DayKind

# The package's English holiday names, in the Chinese the State Council's notices use.
NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}
SOURCE = f"chinesecalendar {chinese_calendar.__version__}"


def package_days() -> dict[date, tuple[str, str]]:
    """``{day: (kind, name)}`` for every holiday and make-up working day the package lists."""
    days = {day: (DayKind.HOLIDAY.value, NAMES.get(name, name)) for day, name in chinese_calendar.holidays.items()}
    days.update({day: (DayKind.WORKDAY.value, NAMES.get(name, name)) for day, name in chinese_calendar.workdays.items()})
    return days
