from django.urls import path

from . import views

app_name = "users"

urlpatterns = [
    path("me/", views.PreferencesView.as_view(), name="preferences"),
    path("me/tokens/", views.TokensView.as_view(), name="tokens"),
    path("settings/", views.AdminHomeView.as_view(), name="admin_home"),
    path("settings/users/", views.UserListView.as_view(), name="user_list"),
    path("settings/users/new/", views.UserEditView.as_view(), name="user_create"),
    path("settings/users/<int:pk>/", views.UserEditView.as_view(), name="user_edit"),
    path("settings/teams/", views.TeamListView.as_view(), name="team_list"),
    path("settings/teams/new/", views.TeamEditView.as_view(), name="team_create"),
    path("settings/teams/<int:pk>/", views.TeamEditView.as_view(), name="team_edit"),
    path("settings/roles/", views.RoleListView.as_view(), name="role_list"),
    path("settings/roles/new/", views.RoleEditView.as_view(), name="role_create"),
    path("settings/roles/<int:pk>/", views.RoleEditView.as_view(), name="role_edit"),
]
