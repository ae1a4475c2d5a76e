from django.urls import path

from . import views

app_name = "integrations"

urlpatterns = [
    path("", views.WebhookListView.as_view(), name="webhook_list"),
    path("new/", views.WebhookEditView.as_view(), name="webhook_create"),
    path("<int:pk>/", views.WebhookEditView.as_view(), name="webhook_edit"),
    path("<int:pk>/deliveries/", views.DeliveryLogView.as_view(), name="delivery_list"),
    path(
        "<int:pk>/deliveries/<int:delivery_pk>/", views.DeliveryDetailView.as_view(), name="delivery_detail"
    ),
]
