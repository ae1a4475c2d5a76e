"""The packaged scenario templates (``guanxi/costs/data/templates/*.yaml``)."""

from __future__ import annotations

from importlib import resources

from guanxi.costs.engine.catalog import Catalog
from guanxi.costs.engine.scenario import Scenario, load_scenario

__all__ = ["load_template", "template_names", "template_text"]


def _folder() -> resources.abc.Traversable:
    return resources.files("guanxi.costs").joinpath("data", "templates")


def template_names() -> list[str]:
    """Template names (file names without ``.yaml``), sorted: ``["dynamics-365-sales", …]``."""
    return sorted(
        entry.name.removesuffix(".yaml") for entry in _folder().iterdir() if entry.name.endswith(".yaml")
    )


def template_text(name: str) -> str:
    """The YAML text of a template. Raises KeyError for an unknown name."""
    if name not in template_names():
        raise KeyError(name)
    return _folder().joinpath(f"{name}.yaml").read_text("utf-8")


def load_template(name: str, catalog: Catalog | None = None) -> Scenario:
    """A template parsed into a :class:`Scenario`."""
    return load_scenario(template_text(name), catalog)
