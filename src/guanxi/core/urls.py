from django.urls import path

from . import admin_views

app_name = "core"

urlpatterns = [
    path("custom-fields/", admin_views.CustomFieldListView.as_view(), name="customfield_list"),
    path("custom-fields/new/", admin_views.CustomFieldEditView.as_view(), name="customfield_create"),
    path("custom-fields/<int:pk>/", admin_views.CustomFieldEditView.as_view(), name="customfield_edit"),
    path("audit/", admin_views.AuditListView.as_view(), name="audit_list"),
]
