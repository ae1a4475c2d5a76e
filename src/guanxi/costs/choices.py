"""Choices of the costs app. The ten categories are the engine's (`CATEGORIES`), named as in DESIGN.md."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Category(models.TextChoices):
    SUBSCRIPTION = "subscription", _("Software purchase or subscription")
    IMPLEMENTATION = "implementation", _("Implementation and initial training")
    MAINTENANCE = "maintenance", _("Maintenance and support")
    MIGRATION_INTEGRATION = "migration_integration", _("Data migration and integration")
    CUSTOMIZATION = "customization", _("Custom development")
    TRAINING = "training", _("User management and ongoing training")
    UPGRADE_EXPANSION = "upgrade_expansion", _("Upgrades and expansion")
    SECURITY_COMPLIANCE = "security_compliance", _("Security and compliance")
    CONSULTING = "consulting", _("External consultants")
    INTERNAL = "internal", _("Internal resources and staff time")


class TimePurpose(models.TextChoices):
    TRAINING = "training", pgettext_lazy("time spent on", "Training")
    DATA_CLEANUP = "data_cleanup", _("Data clean-up")
    ADMINISTRATION = "administration", _("Administration")
    IMPLEMENTATION = "implementation", pgettext_lazy("time spent on", "Implementation and set-up")
    INTEGRATION = "integration", _("Integration")
    CUSTOMIZATION = "customization", _("Customisation")
    SUPPORT = "support", _("Helping users")
    MEETINGS = "meetings", _("Meetings and project management")
    OTHER = "other", _("Other")


class AmountForm(models.TextChoices):
    """How a scenario line's amount is given (the engine's amount forms, plus a catalogue plan)."""

    INITIAL = "initial", _("Initial only (before go-live)")
    YEARLY = "yearly", _("Per year")
    MONTHLY = "monthly", _("Per month")
    PER_SEAT_MONTH = "per_seat_month", _("Per seat and month")
    PER_SEAT_YEAR = "per_seat_year", _("Per seat and year")
    HOURS = "hours", _("Hours a year × rate")
    PLAN = "plan", _("Catalogue plan (per seat)")


class Billing(models.TextChoices):
    MONTHLY = "monthly", _("Billed monthly")
    ANNUAL = "annual", _("Billed annually")


class PricePeriod(models.TextChoices):
    MONTH = "month", _("per user and month")
    YEAR = "year", _("per user and year")
