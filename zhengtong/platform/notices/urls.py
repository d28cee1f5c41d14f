from django.urls import path

from zhengtong.platform.notices import views

app_name = "notices"
urlpatterns = [
    path("<int:pk>/open/", views.open_notice, name="open"),
    path("<int:pk>/actions/<slug:code>/", views.run_action, name="action"),
    path("read-all/", views.read_all, name="read_all"),
    path("sent/", views.sent_list, name="sent"),
    path("sent/<int:pk>/", views.sent_detail, name="sent_detail"),
    path("sent/<int:pk>/remind/", views.remind, name="remind"),
    path("sent/<int:pk>/recall/", views.recall, name="recall"),
    path("compose/", views.compose, name="compose"),
    path("preferences/", views.preferences, name="preferences"),
    path("audit/", views.audit, name="audit"),
]
