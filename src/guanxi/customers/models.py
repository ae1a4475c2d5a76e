"""Companies and contacts."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from guanxi.core.models import OwnedModel
from guanxi.core.search import SearchTextField

from .choices import CompanySize, ContactSource, Industry

country_code = RegexValidator(r"^[A-Z]{2}$", _("Use a two-letter country code such as CN or US."))


class Address(models.Model):
    country = models.CharField(
        _("country"), max_length=2, blank=True, default="CN", validators=[country_code]
    )
    province = models.CharField(_("province / state"), max_length=60, blank=True)
    city = models.CharField(_("city"), max_length=60, blank=True, db_index=True)
    street = models.CharField(_("street address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)

    class Meta:
        abstract = True

    @property
    def address_line(self) -> str:
        parts = [self.street, self.city, self.province, self.postal_code, self.country]
        return ", ".join(p for p in parts if p)


class Company(OwnedModel, Address):
    name = models.CharField(_("name"), max_length=200)
    legal_name = models.CharField(_("legal name"), max_length=200, blank=True)
    domain = models.CharField(_("domain"), max_length=253, blank=True, db_index=True)
    website = models.URLField(_("website"), max_length=500, blank=True)
    industry = models.CharField(_("industry"), max_length=30, choices=Industry.choices, blank=True)
    size = models.CharField(_("size"), max_length=10, choices=CompanySize.choices, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    phone_e164 = models.CharField(_("phone (E.164)"), max_length=20, blank=True, editable=False)
    notes = models.TextField(_("notes"), blank=True)
    tags = models.ManyToManyField("core.Tag", verbose_name=_("tags"), blank=True, related_name="+")
    name_key = models.CharField(_("name key"), max_length=200, editable=False, db_index=True)
    sort_name = models.CharField(max_length=200, editable=False, db_index=True)
    search_text = SearchTextField()

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        indexes = [
            models.Index(fields=["owner", "sort_name", "id"], name="company_owner_sort"),
            models.Index(fields=["team", "sort_name", "id"], name="company_team_sort"),
        ]

    def __str__(self) -> str:
        return self.name


class Contact(OwnedModel, Address):
    full_name = models.CharField(pgettext_lazy("person", "name"), max_length=150)
    family_name = models.CharField(_("family name"), max_length=80, blank=True)
    given_name = models.CharField(_("given name"), max_length=80, blank=True)
    title = models.CharField(_("title"), max_length=120, blank=True)
    company = models.ForeignKey(
        Company,
        verbose_name=_("company"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contacts",
    )
    email = models.EmailField(_("e-mail"), max_length=254, blank=True, db_index=True)
    email_secondary = models.EmailField(_("other e-mail"), max_length=254, blank=True, db_index=True)
    mobile = models.CharField(_("mobile"), max_length=40, blank=True)
    mobile_e164 = models.CharField(
        _("mobile (E.164)"), max_length=20, blank=True, editable=False, db_index=True
    )
    work_phone = models.CharField(_("work phone"), max_length=40, blank=True)
    work_phone_e164 = models.CharField(_("work phone (E.164)"), max_length=20, blank=True, editable=False)
    wechat = models.CharField(_("WeChat ID"), max_length=60, blank=True)
    source = models.CharField(
        _("source"), max_length=20, choices=ContactSource.choices, blank=True, db_index=True
    )
    notes = models.TextField(_("notes"), blank=True)
    tags = models.ManyToManyField("core.Tag", verbose_name=_("tags"), blank=True, related_name="+")
    sort_name = models.CharField(max_length=150, editable=False, db_index=True)
    search_text = SearchTextField()

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        indexes = [
            models.Index(fields=["owner", "sort_name", "id"], name="contact_owner_sort"),
            models.Index(fields=["team", "sort_name", "id"], name="contact_team_sort"),
            models.Index(fields=["company", "sort_name", "id"], name="contact_company_sort"),
            models.Index(fields=["sort_name", "id"], name="contact_sort"),
            models.Index(fields=["email", "id"], name="contact_email_sort"),
        ]

    def __str__(self) -> str:
        return self.full_name
