from django.urls import path

from zhengtong.ui import views

app_name = "ui"
urlpatterns = [
    path("messages/", views.messages_tab, name="messages"),
    path("apps/", views.apps, name="apps"),
    path("contacts/", views.directory, name="directory"),
    path("me/", views.me, name="me"),
]
