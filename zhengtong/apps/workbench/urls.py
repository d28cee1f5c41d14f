from django.urls import path

from zhengtong.apps.workbench import views

app_name = "workbench"
urlpatterns = [
    path("list/", views.board_fragment, name="fragment"),
    path("entries/<int:entry_id>/<slug:code>/", views.act, name="act"),
    path("batch/", views.act_in_batch, name="batch"),
]
