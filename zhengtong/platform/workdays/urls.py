from django.urls import path

from zhengtong.platform.workdays import views

app_name = "workdays"
urlpatterns = [
    path("", views.calendar_page, name="calendar"),
    path("<int:year>/", views.calendar_page, name="year"),
    path("<int:year>/day/", views.day_form, name="day"),
    path("<int:year>/day/remove/", views.day_remove, name="day_remove"),
    path("<int:year>/import/", views.year_import, name="import"),
]
