from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_safe


@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers: the process answers. Touches no database, needs no sign-in."""
    return JsonResponse({"status": "ok"})
