"""The provider's addresses under /sso/: the issuer is ``<site>/sso`` and its discovery document
``/sso/.well-known/openid-configuration`` (OIDC Discovery 1.0 §4)."""

from django.urls import path, re_path
from oauth2_provider import views as oauth2

from zhengtong.platform.sso import views

# django-oauth-toolkit names its endpoints in this namespace (discovery builds its URLs from them).
app_name = "oauth2_provider"
urlpatterns = [
    path("authorize/", views.ConsentView.as_view(), name="authorize"),
    path("token/", oauth2.TokenView.as_view(), name="token"),
    path("revoke/", oauth2.RevokeTokenView.as_view(), name="revoke-token"),
    path("introspect/", views.Introspection.as_view(), name="introspect"),
    path("userinfo/", oauth2.UserInfoView.as_view(), name="user-info"),
    path("logout/", views.SignOutView.as_view(), name="rp-initiated-logout"),
    re_path(r"^\.well-known/openid-configuration$", oauth2.ConnectDiscoveryInfoView.as_view(), name="oidc-connect-discovery-info"),
    path(".well-known/jwks.json", oauth2.JwksInfoView.as_view(), name="jwks-info"),
]
