from django.urls import path

from zhengtong.apps.workbench import views

app_name = "workbench"
# Mounted at the root: the workbench is the shell's home tab.
urlpatterns = [
    path("", views.home, name="home"),
    path("workbench/list/", views.board_fragment, name="fragment"),
    path("workbench/entries/<int:entry_id>/<slug:code>/", views.act, name="act"),
    path("workbench/batch/", views.act_in_batch, name="batch"),
]
