from django.urls import path

from . import views

app_name = "transfer"

urlpatterns = [
    path("imports/", views.ImportListView.as_view(), name="import_list"),
    path("imports/new/", views.ImportNewView.as_view(), name="import_new"),
    path("imports/<int:pk>/", views.ImportDetailView.as_view(), name="import_detail"),
    path("imports/<int:pk>/progress/", views.ImportProgressView.as_view(), name="import_progress"),
    path("imports/<int:pk>/rejected.csv", views.RejectedRowsView.as_view(), name="import_rejected"),
    path("imports/<int:pk>/<slug:action>/", views.ImportActionView.as_view(), name="import_action"),
    path("export/<slug:object_type>/", views.ExportView.as_view(), name="export"),
    path("exports/<int:pk>/", views.ExportJobView.as_view(), name="export_job"),
    path("duplicates/", views.DuplicateListView.as_view(), name="duplicate_list"),
    path("duplicates/<int:pk>/", views.DuplicateMergeView.as_view(), name="duplicate_merge"),
    path("merges/<int:pk>/undo/", views.MergeUndoView.as_view(), name="merge_undo"),
]
