from django.urls import path

from tests.inspections import views

app_name = "inspections"
urlpatterns = [path("", views.visits, name="list")]
