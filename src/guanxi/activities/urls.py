from django.urls import path

from . import views

app_name = "activities"

urlpatterns = [
    path("", views.ActivityList.as_view(), name="activity_list"),
    path("new/", views.ActivityEdit.as_view(), name="activity_create"),
    path("<int:pk>/", views.ActivityDetail.as_view(), name="activity_detail"),
    path("<int:pk>/edit/", views.ActivityEdit.as_view(), name="activity_edit"),
    path("<int:pk>/delete/", views.ActivityDelete.as_view(), name="activity_delete"),
    path("<int:pk>/complete/", views.complete, name="complete"),
    path("my-work/", views.my_work, name="my_work"),
    path("timeline/<slug:object_type>/<int:pk>/", views.timeline, name="timeline"),
    path("timeline/<slug:object_type>/<int:pk>/log/", views.quick_log, name="quick"),
]
