from django.urls import path

from zhengtong.platform.workflow import views

app_name = "workflow"
urlpatterns = [
    path("", views.todo_list, name="todo"),
    path("start/", views.start_list, name="start"),
    path("start/<slug:key>/", views.start_form, name="start_form"),
    path("instances/<int:pk>/", views.instance_detail, name="instance"),
    path("instances/<int:pk>/<slug:action>/", views.instance_action, name="instance_action"),
    path("items/<int:item_id>/<slug:action>/", views.item_action, name="item_action"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("delegations/", views.delegations, name="delegations"),
    path("delegations/<int:pk>/revoke/", views.delegation_revoke, name="delegation_revoke"),
    path("admin/definitions/", views.admin_definitions, name="admin_definitions"),
    path("admin/definitions/upload/", views.admin_upload, name="admin_upload"),
    path("admin/definitions/<int:pk>/", views.admin_definition, name="admin_definition"),
    path("admin/instances/", views.admin_instances, name="admin_instances"),
]
