from django.urls import path

from zhengtong.apps.documents import views

app_name = "documents"
urlpatterns = [
    path("", views.document_list, name="outgoing"),
    path("incoming/", views.incoming_list, name="incoming"),
    path("new/", views.create, name="create"),
    path("register/", views.register, name="register"),
    path("supervision/", views.supervision, name="supervision"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/receive/", views.receive, name="receive"),
    path("<int:pk>/remind/", views.remind, name="remind"),
    path("<int:pk>/circulate/", views.circulate, name="circulate"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/attachments/", views.upload, name="upload"),
    path("<int:pk>/attachments/<int:attachment_id>/", views.attachment, name="attachment"),
    path("<int:pk>/versions/", views.compare, name="compare"),
    path("<int:pk>/print.<str:fmt>", views.rendered, name="rendered"),
]
