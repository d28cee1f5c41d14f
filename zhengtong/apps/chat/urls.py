from django.urls import path

from zhengtong.apps.chat import group_views, oversight_views, views

app_name = "chat"
urlpatterns = [
    path("", views.conversation_list, name="list"),
    path("new/", views.group_create, name="create"),
    path("starred/", views.starred_list, name="starred"),
    path("direct/<int:person_id>/", views.direct_open, name="direct"),
    path("<int:pk>/", views.conversation_page, name="conversation"),
    path("<int:pk>/send/", views.message_send, name="send"),
    path("<int:pk>/upload/", views.file_send, name="upload"),
    # search, message audit (oversight)
    path("search/", views.search_mine, name="search"),
    path("<int:pk>/search/", views.search_conversation, name="search_conversation"),
    path("audit/", oversight_views.audit, name="audit"),
    path("audit/export/", oversight_views.export, name="audit_export"),
    # groups: members, roles, name, leaving; 事务群; department groups
    path("<int:pk>/members/", group_views.members_page, name="members"),
    path("<int:pk>/members/add/", group_views.members_add, name="add"),
    path("<int:pk>/members/<int:person_id>/remove/", group_views.member_remove, name="remove"),
    path("<int:pk>/members/<int:person_id>/role/", group_views.member_role, name="role"),
    path("<int:pk>/owner/", group_views.owner_transfer, name="transfer"),
    path("<int:pk>/leave/", group_views.group_leave, name="leave"),
    path("<int:pk>/mute/", group_views.group_mute, name="mute"),
    path("<int:pk>/rename/", group_views.group_rename, name="rename"),
    path("<int:pk>/bots/", group_views.bot_add, name="bots"),
    path("discuss/", group_views.discuss, name="discuss"),
    path("departments/", group_views.department_groups, name="departments"),
    path("departments/<int:department_id>/off/", group_views.department_group_off, name="department_off"),
]
