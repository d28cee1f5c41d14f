from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from zhengtong.platform.workdays.package import SOURCE
from zhengtong.platform.workdays.services import sync_package


class Command(BaseCommand):
    help = ("After upgrading chinesecalendar: store its new years and corrections, recompute open deadlines. "
            "Years and days entered by administrators are kept.")

    def handle(self, *args: Any, **options: Any) -> None:
        result = sync_package()
        years = ", ".join(str(year) for year in result.new_years) or "none"
        self.stdout.write(f"{SOURCE}: new years {years}; {len(result.changed_days)} days changed")
