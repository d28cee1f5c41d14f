from django.urls import path

from zhengtong.platform.access import views

app_name = "access"
urlpatterns = [
    path("", views.console, name="console"),
]
