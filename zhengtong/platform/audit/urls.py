from django.urls import path

from zhengtong.platform.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.record_list, name="list"),
    path("export.csv", views.export_csv, name="export"),
    path("verify/", views.verify, name="verify"),
    path("<int:record_id>/", views.record_detail, name="detail"),
]
