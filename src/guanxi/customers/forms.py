from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.core.forms import RecordChoiceField, RecordForm, limit_links

from .models import Company, Contact


class CompanyForm(RecordForm):
    class Meta:
        model = Company
        fields = [
            "name",
            "legal_name",
            "website",
            "domain",
            "industry",
            "size",
            "phone",
            "country",
            "province",
            "city",
            "street",
            "postal_code",
            "owner",
            "team",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 4})}


class ContactForm(RecordForm):
    company = RecordChoiceField("company", label=_("Company"), required=False)

    class Meta:
        model = Contact
        fields = [
            "full_name",
            "family_name",
            "given_name",
            "title",
            "company",
            "email",
            "email_secondary",
            "mobile",
            "work_phone",
            "wechat",
            "source",
            "country",
            "province",
            "city",
            "street",
            "postal_code",
            "owner",
            "team",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "full_name": _(
                "As people write it: 张三, or John Smith. Family and given names are "
                "filled in from it when left empty."
            )
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["full_name"].required = False
        if self.user is not None:
            limit_links(self, self.user, "company")
        initial_company = self.initial.get("company")
        if initial_company:
            self.fields["company"].initial = initial_company

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not (data.get("full_name") or data.get("family_name") or data.get("given_name")):
            self.add_error("full_name", _("Enter the contact's name."))
        return data
