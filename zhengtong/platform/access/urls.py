from django.urls import path

from zhengtong.platform.access import views

app_name = "access"
urlpatterns = [
    path("", views.console, name="console"),
    path("people/<int:user_id>/", views.person, name="person"),
    path("people/<int:user_id>/roles/", views.person_assign, name="assign"),
    path("people/<int:user_id>/roles/<slug:code>/revoke/", views.person_revoke, name="revoke"),
    path("people/<int:user_id>/clearance/", views.person_clearance, name="clearance"),
    path("roles/", views.roles, name="roles"),
    path("roles/new/", views.role_create, name="role_create"),
    path("roles/<slug:code>/", views.role_edit, name="role_edit"),
    path("levels/", views.levels, name="levels"),
    path("levels/<int:rank>/", views.level_rename, name="level_rename"),
    path("grants/", views.grants, name="grants"),
    path("grants/<int:pk>/revoke/", views.grant_revoke, name="grant_revoke"),
    path("policy/", views.policy, name="policy"),
]
