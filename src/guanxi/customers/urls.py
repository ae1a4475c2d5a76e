from django.urls import path

from . import views

app_name = "customers"

urlpatterns = [
    path("companies/", views.CompanyList.as_view(), name="company_list"),
    path("companies/new/", views.CompanyEdit.as_view(), name="company_create"),
    path("companies/<int:pk>/", views.CompanyDetail.as_view(), name="company_detail"),
    path("companies/<int:pk>/edit/", views.CompanyEdit.as_view(), name="company_edit"),
    path("companies/<int:pk>/delete/", views.CompanyDelete.as_view(), name="company_delete"),
    path("contacts/", views.ContactList.as_view(), name="contact_list"),
    path("contacts/new/", views.ContactEdit.as_view(), name="contact_create"),
    path("contacts/<int:pk>/", views.ContactDetail.as_view(), name="contact_detail"),
    path("contacts/<int:pk>/edit/", views.ContactEdit.as_view(), name="contact_edit"),
    path("contacts/<int:pk>/delete/", views.ContactDelete.as_view(), name="contact_delete"),
]
