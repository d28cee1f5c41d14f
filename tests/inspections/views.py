from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def visits(request: HttpRequest) -> HttpResponse:
    return render(request, "inspections/list.html")


def confirm(acting_user: Any, object_id: str, comment: str) -> str:
    return f"已确认 {object_id}"


def remind_overdue(now: Any) -> int:
    """The app's background job: the worker runs it each round (the probe counts the rounds)."""
    return 3
