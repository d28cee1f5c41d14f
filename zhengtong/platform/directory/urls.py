from django.urls import URLPattern

app_name = "directory"
# The 通讯录 pages live in the UI shell (ui:directory); the directory's own pages come with issue 3.
urlpatterns: list[URLPattern] = []
