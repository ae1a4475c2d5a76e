from typing import Any

from django.db.models import Model
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _g

from guanxi.core import permissions
from guanxi.core import views as generic

from . import selectors
from .models import Company, Contact


class CompanyList(generic.ObjectListView):
    object_type_key = "company"


class CompanyDetail(generic.ObjectDetailView):
    object_type_key = "company"
    template_name = "customers/company_detail.html"
    detail_fields = ["legal_name", "industry", "size", "website", "domain", "phone", "owner", "team", "notes"]

    def field_website(self, obj: Company) -> Any:
        if not obj.website:
            return ""
        return format_html(
            '<a href="{}" rel="noopener noreferrer" target="_blank">{}</a>', obj.website, obj.website
        )

    def get_context(self, obj: Model) -> dict[str, Any]:
        context = super().get_context(obj)
        contacts = selectors.company_contacts(self.request.user, obj)  # type: ignore[arg-type]
        context["contacts"] = list(contacts[:100])
        context["contacts_url"] = f"{reverse('customers:contact_list')}?company={obj.pk}"
        context["new_contact_url"] = f"{reverse('customers:contact_create')}?company={obj.pk}"
        context["can_create_contact"] = permissions.can(self.request.user, "create", "contact")
        context["address"] = obj.address_line  # type: ignore[attr-defined]
        return context


class CompanyEdit(generic.ObjectEditView):
    object_type_key = "company"


class CompanyDelete(generic.ObjectDeleteView):
    object_type_key = "company"


class ContactList(generic.ObjectListView):
    object_type_key = "contact"

    def cell_company(self, obj: Contact) -> Any:
        company = obj.company  # None without a query when there is no company
        if company is None:
            return ""
        return format_html(
            '<a href="{}">{}</a>', self.record_url("customers:company_detail", obj.company_id), company.name
        )


class ContactDetail(generic.ObjectDetailView):
    object_type_key = "contact"
    template_name = "customers/contact_detail.html"
    detail_fields = [
        "title",
        "company",
        "email",
        "email_secondary",
        "mobile",
        "work_phone",
        "wechat",
        "source",
        "owner",
        "team",
        "notes",
    ]

    def field_company(self, obj: Contact) -> Any:
        company = obj.company  # None without a query when there is no company
        if company is None:
            return ""
        return format_html(
            '<a href="{}">{}</a>',
            reverse("customers:company_detail", args=[obj.company_id]),
            company.name,
        )

    def field_email(self, obj: Contact) -> Any:
        return format_html('<a href="mailto:{0}">{0}</a>', obj.email) if obj.email else ""

    def field_mobile(self, obj: Contact) -> Any:
        if not obj.mobile:
            return ""
        if obj.mobile_e164:
            return format_html('<a href="tel:{}">{}</a>', obj.mobile_e164, obj.mobile)
        return format_html(
            '{} <span class="badge bg-yellow-lt" title="{}">?</span>',
            obj.mobile,
            _g("Not a valid phone number"),
        )

    def get_context(self, obj: Model) -> dict[str, Any]:
        context = super().get_context(obj)
        context["address"] = obj.address_line  # type: ignore[attr-defined]
        return context


class ContactEdit(generic.ObjectEditView):
    object_type_key = "contact"

    def get_form(self, data: Any = None, instance: Model | None = None) -> Any:
        form = super().get_form(data, instance)
        company = self.request.GET.get("company")
        if instance is None and data is None and company and company.isdigit():
            form.fields["company"].initial = int(company)
            form.initial["company"] = int(company)
        return form

    def pre_save_warnings(self, form: Any, obj: Model | None) -> list[Any]:
        if obj is not None and not ({"email", "mobile"} & set(form.changed_data)):
            return []
        data = form.cleaned_data
        visible, hidden = selectors.contact_duplicates(
            self.request.user,
            email=data.get("email", ""),
            mobile=data.get("mobile", ""),
            exclude_id=obj.pk if obj else None,
        )
        warnings: list[Any] = []
        for contact in visible:
            warnings.append(
                format_html(
                    _g(
                        '{} already has this e-mail or mobile: <a href="{}" target="_blank" rel="noopener">'
                        "open the existing contact</a>."
                    ),
                    contact.full_name,
                    reverse("customers:contact_detail", args=[contact.pk]),
                )
            )
        if hidden:
            warnings.append(
                _g("%(count)d contact(s) you cannot see already use this e-mail or mobile.")
                % {"count": hidden}
            )
        return warnings


class ContactDelete(generic.ObjectDeleteView):
    object_type_key = "contact"
