from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from zhengtong.apps.bulletins import services
from zhengtong.apps.bulletins.forms import BulletinForm
from zhengtong.apps.bulletins.models import Bulletin
from zhengtong.apps.bulletins.rules import VIEW, readable
from zhengtong.errors import ServiceError
from zhengtong.platform.access import permissions as perms
from zhengtong.platform.access.models import ClassificationLevel
from zhengtong.platform.access.policy import clearance_of, require


def _level_names() -> dict[int, str]:
    return dict(ClassificationLevel.objects.values_list("rank", "name"))


@login_required
def bulletin_list(request: HttpRequest) -> HttpResponse:
    require(request.user, perms.USE_BUSINESS_APPS)
    names = _level_names()
    items = [(item, names.get(item.classification, item.classification))
             for item in readable(request.user, Bulletin.objects.select_related("author"))[:100]]
    my_level = names.get(clearance_of(request.user), clearance_of(request.user))
    return render(request, "bulletins/list.html", {"items": items, "my_level": my_level})


@login_required
def bulletin_detail(request: HttpRequest, pk: int) -> HttpResponse:
    # Another unit's item, or one above the reader's clearance, does not exist for them.
    bulletin = get_object_or_404(readable(request.user, Bulletin.objects.select_related("author")), pk=pk)
    require(request.user, VIEW, bulletin)
    level = _level_names().get(bulletin.classification, bulletin.classification)
    return render(request, "bulletins/detail.html", {"item": bulletin, "level": level})


@login_required
def bulletin_create(request: HttpRequest) -> HttpResponse:
    require(request.user, perms.USE_BUSINESS_APPS)
    form = BulletinForm(request.POST or None, max_rank=min(clearance_of(request.user), settings.MAX_CLASSIFICATION))
    if request.method == "POST" and form.is_valid():
        try:
            bulletin = services.publish(acting_user=request.user, **form.cleaned_data)
        except ServiceError as exc:
            for field, errors in exc.fields.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Published."))
            return redirect("bulletins:detail", pk=bulletin.pk)
    return render(request, "bulletins/form.html", {"form": form})
