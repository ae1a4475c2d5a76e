"""The Guanxi TCO / ROI engine: pure Python and Decimal, no Django.

Public API::

    from guanxi.costs.engine import load_scenario, compute, result_to_dict, dump_scenario

    scenario = load_scenario(yaml_text_or_dict)       # raises ScenarioError with every problem
    result = compute(scenario, sensitivity_delta=Decimal("0.2"))
    data = result_to_dict(result)                      # JSON-ready, amounts as "1234.56"
    text = dump_scenario(scenario)                     # YAML; load_scenario(text) == scenario

See docs/costs-engine.md for the scenario format and the maths.
"""

from guanxi.costs.engine.catalog import (
    Catalog,
    CatalogPlan,
    catalog_from_dict,
    catalog_to_dict,
    default_catalog,
    load_catalog,
)
from guanxi.costs.engine.compute import DEFAULT_SENSITIVITY, LineResult, Result, SensitivityEntry, compute
from guanxi.costs.engine.errors import CatalogError, Problem, ScenarioError
from guanxi.costs.engine.render import format_html, format_json, format_table, result_to_dict, write_xlsx
from guanxi.costs.engine.scenario import (
    AMOUNT_FORMS,
    CATEGORIES,
    BenefitLine,
    CostLine,
    Line,
    Scenario,
    dump_scenario,
    load_scenario,
    scenario_to_dict,
    validate_scenario,
)
from guanxi.costs.engine.templates import load_template, template_names, template_text

__all__ = [
    "AMOUNT_FORMS",
    "CATEGORIES",
    "DEFAULT_SENSITIVITY",
    "BenefitLine",
    "Catalog",
    "CatalogError",
    "CatalogPlan",
    "CostLine",
    "Line",
    "LineResult",
    "Problem",
    "Result",
    "Scenario",
    "ScenarioError",
    "SensitivityEntry",
    "catalog_from_dict",
    "catalog_to_dict",
    "compute",
    "default_catalog",
    "dump_scenario",
    "format_html",
    "format_json",
    "format_table",
    "load_catalog",
    "load_scenario",
    "load_template",
    "result_to_dict",
    "scenario_to_dict",
    "template_names",
    "template_text",
    "validate_scenario",
    "write_xlsx",
]
