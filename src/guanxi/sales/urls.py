from django.urls import path

from . import settings_views, views

app_name = "sales"

urlpatterns = [
    path("leads/", views.LeadList.as_view(), name="lead_list"),
    path("leads/new/", views.LeadEdit.as_view(), name="lead_create"),
    path("leads/<int:pk>/", views.LeadDetail.as_view(), name="lead_detail"),
    path("leads/<int:pk>/edit/", views.LeadEdit.as_view(), name="lead_edit"),
    path("leads/<int:pk>/delete/", views.LeadDelete.as_view(), name="lead_delete"),
    path("leads/<int:pk>/convert/", views.LeadConvert.as_view(), name="lead_convert"),
    path("deals/", views.DealList.as_view(), name="deal_list"),
    path("deals/new/", views.DealEdit.as_view(), name="deal_create"),
    path("deals/<int:pk>/", views.DealDetail.as_view(), name="deal_detail"),
    path("deals/<int:pk>/edit/", views.DealEdit.as_view(), name="deal_edit"),
    path("deals/<int:pk>/delete/", views.DealDelete.as_view(), name="deal_delete"),
    path("deals/<int:pk>/move/", views.DealMove.as_view(), name="deal_move"),
    path("deals/<int:pk>/lines/", views.DealLines.as_view(), name="deal_lines"),
    path("deals/<int:pk>/contacts/", views.DealContactEdit.as_view(), name="deal_contacts"),
    path("board/", views.Board.as_view(), name="board"),
    path("board/<int:pk>/", views.Board.as_view(), name="board_pipeline"),
    path("products/", views.ProductList.as_view(), name="product_list"),
    path("products/new/", views.ProductEdit.as_view(), name="product_create"),
    path("products/<int:pk>/", views.ProductDetail.as_view(), name="product_detail"),
    path("products/<int:pk>/edit/", views.ProductEdit.as_view(), name="product_edit"),
    path("products/<int:pk>/delete/", views.ProductDelete.as_view(), name="product_delete"),
    path("pipelines/", views.PipelineList.as_view(), name="pipeline_list"),
    path("pipelines/new/", views.PipelineEdit.as_view(), name="pipeline_create"),
    path("pipelines/<int:pk>/", views.PipelineDetail.as_view(), name="pipeline_detail"),
    path("pipelines/<int:pk>/edit/", views.PipelineEdit.as_view(), name="pipeline_edit"),
    path("pipelines/<int:pk>/delete/", views.PipelineDelete.as_view(), name="pipeline_delete"),
    path("settings/<slug:area>/", settings_views.SalesSettingsView.as_view(), name="settings"),
    *[
        path(
            f"settings/{area}/",
            settings_views.SalesSettingsView.as_view(),
            {"area": area},
            name=f"settings_{area}",
        )
        for area in ("lists", "rules", "forms", "rates")
    ],
]

public_urlpatterns = [
    path("forms/lead/<str:token>/", settings_views.public_lead_form, name="public_lead_form"),
]
