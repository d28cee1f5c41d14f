"""Questions about years the calendar has no data for, and the alert to administrators.

Kept apart from ``services`` because the arithmetic in ``calendar`` records these questions
while ``services`` itself computes with ``calendar``.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from zhengtong.errors import ServiceError
from zhengtong.platform.access import permissions as perms
from zhengtong.platform.audit import services as audit
from zhengtong.platform.notices.models import Notice
from zhengtong.platform.workdays.models import MissingYear

logger = logging.getLogger(__name__)


def note_missing_year(year: int) -> None:
    """Count a question about ``year``; the first one (or the first after it was resolved) alerts."""
    now = timezone.now()
    # The common case, a year already flagged: one UPDATE and nothing else.
    if MissingYear.objects.filter(year=year, resolved_at__isnull=True).update(last_asked_at=now, times_asked=F("times_asked") + 1):
        return
    with transaction.atomic():
        question, created = MissingYear.objects.select_for_update().get_or_create(year=year)
        if not created:
            if question.resolved_at is None:  # another request flagged it meanwhile
                MissingYear.objects.filter(pk=question.pk).update(last_asked_at=now, times_asked=F("times_asked") + 1)
                return
            question.resolved_at, question.last_asked_at, question.times_asked = None, now, question.times_asked + 1
            question.save(update_fields=["resolved_at", "last_asked_at", "times_asked"])
        audit.record("workdays.year_missing", obj=question, detail=f"deadline arithmetic needed {year}, which has no calendar data")
        alert_administrators(year)


def alert_administrators(year: int) -> None:
    """Tell the system administrators, in the message center, that ``year`` needs the State Council's
    holiday notice; the open ``MissingYear`` row stays on the calendar pages until it is entered."""
    from zhengtong.platform.notices import services as notices
    from zhengtong.platform.notices.categories import SYSTEM

    logger.warning("working-day calendar: no data for %s; deadlines in it are provisional until an administrator enters it", year)
    with translation.override(settings.LANGUAGE_CODE):
        title = _("The working-day calendar has no data for %(year)s") % {"year": year}
        body = _("Deadlines that reach into %(year)s are provisional (weekdays minus the fixed holidays) until the State "
                 "Council's holiday notice for %(year)s is entered in the calendar.") % {"year": year}
    try:
        notices.notify(sender=None, to=[f"role:{perms.SYSTEM_ADMIN}"], title=title, body=body, link=reverse("workdays:calendar"),
                       category=SYSTEM, priority=Notice.Priority.URGENT, app="workdays")
    except ServiceError:  # no system administrator yet (a fresh installation): the calendar page shows the alert
        logger.warning("no system administrator to tell that %s is missing", year)


def resolve(year: int) -> None:
    MissingYear.objects.filter(year=year, resolved_at__isnull=True).update(resolved_at=timezone.now())
