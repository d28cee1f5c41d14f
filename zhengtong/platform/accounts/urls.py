from django.urls import path

from zhengtong.platform.accounts import views

app_name = "accounts"
urlpatterns = [
    path("sign-in/", views.sign_in, name="login"),
    path("sign-in/verify/", views.verify, name="verify"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("two-factor/", views.mfa_setup, name="mfa_setup"),
    path("password/", views.password_change, name="password_change"),
    path("sessions/", views.sessions, name="sessions"),
    path("tokens/", views.tokens, name="tokens"),
]
