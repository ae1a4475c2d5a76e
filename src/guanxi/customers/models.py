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
        """The address as it is written in its country: 江苏 南京 中山路 1号 for China (largest part first),
        "street, city, province postal code, country" elsewhere; empty when only the country is known."""
        if not (self.street or self.city or self.province or self.postal_code):
            return ""
        if self.country in ("CN", "TW", "HK", "MO", "JP", ""):
            local = " ".join(p for p in (self.province, self.city, self.street) if p)
            return f"{local} {self.postal_code}".strip()
        region = " ".join(p for p in (self.province, self.postal_code) if p)
        return ", ".join(p for p in (self.street, self.city, region, self.country) if p)


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

    audit_exclude = (*OwnedModel.audit_exclude, "phone_e164", "name_key")

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        indexes = [
            models.Index(fields=["owner", "sort_name", "id"], name="company_owner_sort"),
            models.Index(fields=["team", "sort_name", "id"], name="company_team_sort"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def search_subtitle(self) -> str:
        return " · ".join(p for p in (self.city, self.domain) if p)


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

    audit_exclude = (*OwnedModel.audit_exclude, "mobile_e164", "work_phone_e164")

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        indexes = [
            models.Index(fields=["owner", "sort_name", "id"], name="contact_owner_sort"),
            models.Index(fields=["team", "sort_name", "id"], name="contact_team_sort"),
            models.Index(fields=["company", "sort_name", "id"], name="contact_company_sort"),
            models.Index(fields=["sort_name", "id"], name="contact_sort"),
            models.Index(fields=["email", "id"], name="contact_email_sort"),
            # Filter column + the two scope columns, so that a capped count of a filtered list is read
            # from one index for every visibility scope (own: owner; team: owner OR team; all).
            models.Index(fields=["owner", "team"], name="contact_owner_team"),
            models.Index(fields=["team", "owner"], name="contact_team_owner"),
            models.Index(fields=["city", "owner", "team"], name="contact_city_scope"),
            models.Index(fields=["source", "owner", "team"], name="contact_source_scope"),
            # Sorts by a low-cardinality column: PostgreSQL's one-column index returns each city's rows in
            # table order, and sorting all of Shanghai by id to break the tie took 0.5-0.7 s.
            models.Index(fields=["city", "id"], name="contact_city_sort"),
            models.Index(fields=["source", "id"], name="contact_source_sort"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def search_subtitle(self) -> str:
        company = self.company.name if self.company_id and self.company else ""
        return " · ".join(p for p in (company, self.email or self.mobile) if p)
