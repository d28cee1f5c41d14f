from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from zhengtong.platform.access import permissions as perms
from zhengtong.platform.access.policy import require


@login_required
def record_list(request: HttpRequest) -> HttpResponse:
    require(request.user, perms.VIEW_AUDIT)
    return render(request, "ui/base.html")
