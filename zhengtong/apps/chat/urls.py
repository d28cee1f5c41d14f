from django.urls import path

from zhengtong.apps.chat import oversight_views, views

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
]
