from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from zhengtong.api import api
from zhengtong.health import healthz
from zhengtong.platform import registry
from zhengtong.platform.access.permissions import USE_BACK_OFFICE
from zhengtong.platform.accounts import views as accounts_views

admin.site.site_header = "政通 · 后台管理"
admin.site.site_title = "政通后台"
admin.site.index_title = "后台管理"


def _back_office_sign_in(request: HttpRequest, extra_context: object = None) -> HttpResponse:
    """The back office signs in through the platform's own sign-in (lockout, two-factor).

    A signed-in person without back-office permission is refused (and audited), not sent
    round to sign in again.
    """
    if request.user.is_authenticated:
        raise PermissionDenied(USE_BACK_OFFICE)
    return redirect_to_login(request.get_full_path())


def _back_office_sign_out(request: HttpRequest, extra_context: object = None) -> HttpResponse:
    """Signing out of the back office is signing out of the platform: the device list and the audit know."""
    return accounts_views.sign_out(request)


def _back_office_password_change(request: HttpRequest, extra_context: object = None) -> HttpResponse:
    """One password page: the platform's (its history, its audit record, the other sessions ended)."""
    return redirect("accounts:password_change")


admin.site.login = _back_office_sign_in  # type: ignore[method-assign]
admin.site.logout = _back_office_sign_out  # type: ignore[method-assign,assignment]
admin.site.password_change = _back_office_password_change  # type: ignore[method-assign,assignment]

handler400 = "zhengtong.ui.errors.bad_request"
handler403 = "zhengtong.ui.errors.permission_denied"
handler404 = "zhengtong.ui.errors.page_not_found"
handler500 = "zhengtong.ui.errors.server_error"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # Pages without our <link rel=icon> (the back office) make browsers ask for this.
    path("favicon.ico", RedirectView.as_view(url=static("ui/icon.svg"), permanent=True)),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    # Every installed app's pages, as its manifest declares them.
    *registry.current().url_patterns(),
]
