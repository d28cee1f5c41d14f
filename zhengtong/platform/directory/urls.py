from django.urls import path

from zhengtong.platform.directory import views

app_name = "directory"
# The contacts tab itself is ui:directory; these pages lie below it.
urlpatterns = [
    path("departments/<int:pk>/", views.department, name="department"),
    path("mine/", views.my_department, name="mine"),
    path("people/<int:pk>/", views.person, name="person"),
    path("people/<int:pk>/used/", views.contact_used, name="contact_used"),
    path("groups/", views.group_list, name="groups"),
    path("groups/new/", views.group_create, name="group_create"),
    path("groups/<int:pk>/", views.group, name="group"),
    path("groups/<int:pk>/members/", views.group_member_add, name="group_member_add"),
    path("groups/<int:pk>/members/<int:user_id>/remove/", views.group_member_remove, name="group_member_remove"),
    path("visibility/", views.visibility, name="visibility"),
    path("visibility/restrictions/", views.restriction_add, name="restriction_add"),
    path("visibility/restrictions/<int:pk>/delete/", views.restriction_delete, name="restriction_delete"),
    path("visibility/confidential/", views.confidential, name="confidential"),
]
