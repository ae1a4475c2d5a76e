from django.db import models
from django.utils.translation import gettext_lazy as _


class Industry(models.TextChoices):
    MANUFACTURING = "manufacturing", _("Manufacturing")
    TECHNOLOGY = "technology", _("Technology and software")
    RETAIL = "retail", _("Retail and e-commerce")
    FINANCE = "finance", _("Finance and insurance")
    HEALTHCARE = "healthcare", _("Healthcare")
    EDUCATION = "education", _("Education")
    CONSTRUCTION = "construction", _("Construction and real estate")
    LOGISTICS = "logistics", _("Logistics")
    ENERGY = "energy", _("Energy")
    MEDIA = "media", _("Media and advertising")
    PROFESSIONAL = "professional", _("Professional services")
    HOSPITALITY = "hospitality", _("Hospitality")
    GOVERNMENT = "government", _("Government and non-profit")
    AGRICULTURE = "agriculture", _("Agriculture")
    OTHER = "other", _("Other")


class CompanySize(models.TextChoices):
    MICRO = "1-10", _("1–10")
    SMALL = "11-50", _("11–50")
    MEDIUM = "51-200", _("51–200")
    LARGE = "201-500", _("201–500")
    XLARGE = "501-1000", _("501–1,000")
    ENTERPRISE = "1000+", _("More than 1,000")


class ContactSource(models.TextChoices):
    WEB = "web", _("Web form")
    REFERRAL = "referral", _("Referral")
    EVENT = "event", _("Event")
    ADVERTISING = "advertising", _("Advertising")
    COLD_CALL = "cold_call", _("Cold call")
    IMPORT = "import", _("Import")
    PARTNER = "partner", _("Partner")
    OTHER = "other", _("Other")
