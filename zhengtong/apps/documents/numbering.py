"""Document numbers (发文字号) and incoming register numbers (收文编号): no gaps, no duplicates.

One counter row per (代字, year) is locked while a number is taken, so two registrations at
the same moment get consecutive numbers. A number is taken inside the registering
transaction: if registration fails, the counter rolls back with it and no gap opens. A number
that was taken and later voided (the document sent back or cancelled) stays in the register
with its reason, and is the next one issued for that 代字 and year — reissued openly, never
silently skipped.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengtong.apps.documents.models import Document, NumberRecord, NumberSequence
from zhengtong.errors import Conflict


def _counter(code: str, year: int) -> NumberSequence:
    try:
        with transaction.atomic():
            NumberSequence.objects.get_or_create(code=code, year=year)
    except IntegrityError:
        pass  # created by a concurrent registration a moment ago; lock it below
    return NumberSequence.objects.select_for_update().get(code=code, year=year)


def _reusable(code: str, year: int) -> int | None:
    voided = set(NumberRecord.objects.filter(code=code, year=year, state=NumberRecord.State.VOIDED).values_list("sequence", flat=True))
    in_use = set(NumberRecord.objects.filter(code=code, year=year, state=NumberRecord.State.USED, sequence__in=voided)
                 .values_list("sequence", flat=True))
    free = sorted(voided - in_use)
    return free[0] if free else None


def take(*, code: str, document: Document, acting_user: Any) -> NumberRecord:
    """The next number of ``code`` this year for ``document`` (call inside the registering transaction)."""
    if NumberRecord.objects.filter(document=document, code=code, state=NumberRecord.State.USED).exists():
        raise Conflict("numbered", _("This document already has its number."))
    year = timezone.localdate().year
    counter = _counter(code, year)
    sequence = _reusable(code, year)
    reason = "reissued after voiding" if sequence else ""
    if sequence is None:
        counter.last += 1
        counter.save(update_fields=["last"])
        sequence = counter.last
    return NumberRecord.objects.create(code=code, year=year, sequence=sequence, document=document, taken_by=acting_user, reason=reason)


def void(*, document: Document, reason: str) -> None:
    """Void the number the document holds; it stays in the register with ``reason``."""
    NumberRecord.objects.filter(document=document, state=NumberRecord.State.USED, code=document.issuer_code).update(
        state=NumberRecord.State.VOIDED, reason=reason[:300])
