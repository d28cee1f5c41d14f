from django.urls import path

from zhengtong.platform.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.record_list, name="list"),
]
