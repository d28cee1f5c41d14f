from django.urls import path

from zhengtong.platform.accounts import views

app_name = "accounts"
urlpatterns = [
    path("sign-in/", views.sign_in, name="login"),
    path("sign-in/verify/", views.verify, name="verify"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("two-factor/", views.mfa_setup, name="mfa_setup"),
    path("two-factor/recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("two-factor/disable/", views.mfa_disable, name="mfa_disable"),
    path("password/", views.password_change, name="password_change"),
    path("sessions/", views.sessions, name="sessions"),
    path("sessions/<int:pk>/end/", views.end_session, name="end_session"),
    path("sessions/end-others/", views.sign_out_other_devices, name="sign_out_other_devices"),
    path("sessions/end-all/", views.sign_out_everywhere, name="sign_out_everywhere"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.revoke_token, name="revoke_token"),
]
