from django.utils.translation import gettext_lazy as _

from guanxi.core.registry import Column, ObjectType, registry

from .models import Budget, Expense, PaybackSettings, PricePlan, Scenario, TimeEntry, TimeSaving

P = "guanxi.costs"

registry.register(
    ObjectType(
        key="scenario",
        model=Scenario,
        api_group="costs",
        url_namespace="costs",
        api_path="costs/scenarios",
        icon="chart-line",
        default_sort="name",
        select_related=("owner",),
        columns=[
            Column("name", _("Name"), sort="name", link=True),
            Column("currency", _("Currency"), sort="currency"),
            Column("years", _("Years"), sort="years"),
            Column("tco", _("TCO")),
            Column("npv", _("NPV")),
            Column("roi", _("ROI")),
            Column("payback", _("Payback")),
            Column("owner", _("Owner"), default=False),
            Column("updated_at", _("Updated"), sort="updated_at"),
        ],
        filterset=f"{P}.filtersets.ScenarioFilterSet",
        serializer=f"{P}.api.ScenarioSerializer",
        viewset=f"{P}.api.ScenarioViewSet",
        form=f"{P}.forms.ScenarioForm",
        create=f"{P}.services.scenario_create",
        update=f"{P}.services.scenario_update",
        delete=f"{P}.services.scenario_delete",
    )
)

registry.register(
    ObjectType(
        key="expense",
        model=Expense,
        api_group="costs",
        url_namespace="costs",
        api_path="costs/expenses",
        icon="receipt",
        default_sort="-date",
        select_related=("owner",),
        columns=[
            Column("date", _("Date"), sort="date", link=True),
            Column("category", _("Category"), sort="category"),
            Column("vendor", _("Vendor"), sort="vendor"),
            Column("description", _("Description")),
            Column("amount", _("Amount"), sort="amount"),
            Column("amount_reporting", _("In reporting currency"), sort="amount_reporting", default=False),
            Column("invoice_number", _("Invoice"), default=False),
            Column("attachment", _("Attachment")),
            Column("owner", _("Recorded by"), default=False),
        ],
        filterset=f"{P}.filtersets.ExpenseFilterSet",
        serializer=f"{P}.api.ExpenseSerializer",
        viewset=f"{P}.api.ExpenseViewSet",
        form=f"{P}.forms.ExpenseForm",
        create=f"{P}.services.expense_create",
        update=f"{P}.services.expense_update",
        delete=f"{P}.services.expense_delete",
    )
)

registry.register(
    ObjectType(
        key="time_entry",
        model=TimeEntry,
        api_group="costs",
        url_namespace="costs",
        api_path="costs/time-entries",
        icon="clock",
        default_sort="-date",
        select_related=("owner", "person"),
        columns=[
            Column("date", _("Date"), sort="date", link=True),
            Column("person_name", _("Person"), sort="person_name"),
            Column("role", _("Role"), default=False),
            Column("purpose", _("What it was for"), sort="purpose"),
            Column("category", _("Category"), sort="category"),
            Column("hours", _("Hours"), sort="hours"),
            Column("hourly_cost", _("Hourly cost"), default=False),
            Column("cost", _("Cost"), sort="cost"),
        ],
        filterset=f"{P}.filtersets.TimeEntryFilterSet",
        serializer=f"{P}.api.TimeEntrySerializer",
        viewset=f"{P}.api.TimeEntryViewSet",
        form=f"{P}.forms.TimeEntryForm",
        create=f"{P}.services.time_entry_create",
        update=f"{P}.services.time_entry_update",
        delete=f"{P}.services.time_entry_delete",
    )
)

registry.register(
    ObjectType(
        key="budget",
        model=Budget,
        api_group="costs",
        url_namespace="costs",
        api_path="costs/budgets",
        icon="wallet",
        default_sort="-year",
        select_related=("owner",),
        columns=[
            Column("year", _("Year"), sort="year", link=True),
            Column("category", _("Category"), sort="category"),
            Column("amount", _("Amount"), sort="amount"),
            Column("notes", _("Notes"), default=False),
            Column("updated_at", _("Updated"), sort="updated_at"),
        ],
        filterset=f"{P}.filtersets.BudgetFilterSet",
        serializer=f"{P}.api.BudgetSerializer",
        viewset=f"{P}.api.BudgetViewSet",
        form=f"{P}.forms.BudgetForm",
        create=f"{P}.services.budget_create",
        update=f"{P}.services.budget_update",
        delete=f"{P}.services.budget_delete",
    )
)

registry.register(
    ObjectType(
        key="time_saving",
        model=TimeSaving,
        api_group="costs",
        url_namespace="costs",
        api_path="costs/time-savings",
        icon="hourglass",
        default_sort="-date",
        select_related=("owner", "person"),
        columns=[
            Column("date", _("Date"), sort="date", link=True),
            Column("person_name", _("Person"), sort="person_name"),
            Column("description", _("What became faster")),
            Column("hours", _("Hours saved"), sort="hours"),
            Column("value", _("Value"), sort="value"),
        ],
        filterset=f"{P}.filtersets.TimeSavingFilterSet",
        serializer=f"{P}.api.TimeSavingSerializer",
        viewset=f"{P}.api.TimeSavingViewSet",
        form=f"{P}.forms.TimeSavingForm",
        create=f"{P}.services.time_saving_create",
        update=f"{P}.services.time_saving_update",
        delete=f"{P}.services.time_saving_delete",
    )
)

registry.register(
    ObjectType(
        key="price_plan",
        model=PricePlan,
        api_group="costs",
        url_namespace="costs",
        api_path="costs/price-plans",
        ownable=False,
        has_custom_fields=False,
        icon="tag",
        default_sort="vendor",
        columns=[
            Column("vendor_name", _("Vendor"), sort="vendor", link=True),
            Column("edition", _("Edition")),
            Column("price", _("List price"), sort="price"),
            Column("currency", _("Currency")),
            Column("read_on", _("Read on"), sort="read_on"),
        ],
        filterset=f"{P}.filtersets.PricePlanFilterSet",
        serializer=f"{P}.api.PricePlanSerializer",
        viewset=f"{P}.api.PricePlanViewSet",
        form=f"{P}.forms.PricePlanForm",
        create=f"{P}.services.price_plan_create",
        update=f"{P}.services.price_plan_update",
        delete=f"{P}.services.price_plan_delete",
    )
)

registry.register(
    ObjectType(
        key="payback_settings",
        model=PaybackSettings,
        api_group="costs",
        url_namespace="costs",
        ownable=False,
        has_custom_fields=False,
        icon="settings",
        form=f"{P}.forms.PaybackSettingsForm",
    )
)
