"""The one definition of "which audit records": used by the page, the API and both CSV exports."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta

import pydantic
from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import model_validator

from zhengtong.platform.audit.models import AuditRecord, Outcome


def _exact_or_prefix(field: str, value: str, prefix_marks: str) -> Q:
    """A value ending in one of ``prefix_marks`` matches everything under it ("accounts.", "10.1.")."""
    if value.endswith(tuple(prefix_marks)):
        return Q(**{f"{field}__startswith": value})
    return Q(**{field: value})


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


class RecordFilter(Schema):
    actor: str = Field("", max_length=150, description="Part of the actor's username (case-insensitive).")
    action: str = Field("", max_length=100, description="An action code; a value ending in '.' matches every action under it.")
    outcome: Outcome | None = Field(None, description="success, failure or denied.")
    object_type: str = Field("", max_length=100, description="An object type, e.g. accounts.user.")
    object_id: str = Field("", max_length=64)
    source_ip: str = Field("", max_length=45, description="A source address; a value ending in '.' or ':' matches the network under it.")
    since: date | None = Field(None, description="From this day, inclusive (local time).")
    until: date | None = Field(None, description="To this day, inclusive (local time).")

    @model_validator(mode="after")
    def _dates_in_order(self) -> RecordFilter:
        if self.since and self.until and self.since > self.until:
            raise ValueError("since is after until")
        return self

    def apply(self, records: QuerySet[AuditRecord]) -> QuerySet[AuditRecord]:
        if self.actor:
            records = records.filter(actor_name__icontains=self.actor)
        if self.action:
            records = records.filter(_exact_or_prefix("action", self.action, "."))
        if self.outcome:
            records = records.filter(outcome=self.outcome)
        if self.object_type:
            records = records.filter(object_type=self.object_type)
        if self.object_id:
            records = records.filter(object_id=self.object_id)
        if self.source_ip:
            records = records.filter(_exact_or_prefix("source_ip", self.source_ip, ".:"))
        if self.since:
            records = records.filter(occurred_at__gte=_local_midnight(self.since))
        if self.until:
            records = records.filter(occurred_at__lt=_local_midnight(self.until + timedelta(days=1)))
        return records

    def describe(self) -> str:
        """The filter as it was asked, for the record of an export."""
        return json.dumps(self.model_dump(mode="json", exclude_defaults=True), ensure_ascii=False, sort_keys=True)


def parse(params: QueryDict) -> tuple[RecordFilter | None, dict[str, list[str]]]:
    """A page's query string as a filter, or None and the fields at fault."""
    given = {name: str(params.get(name, "")).strip() for name in RecordFilter.model_fields}
    try:
        return RecordFilter.model_validate({name: value for name, value in given.items() if value}), {}
    except pydantic.ValidationError as exc:
        errors: dict[str, list[str]] = {}
        for error in exc.errors():
            if error["loc"]:
                errors.setdefault(str(error["loc"][0]), []).append(_("Enter a valid value."))
            else:
                # The one whole-filter rule: the dates are out of order.
                errors.setdefault("until", []).append(_("The end date is before the start date."))
        return None, errors
