from typing import Any

from django.core.checks import Error, register
from django.core.exceptions import FieldDoesNotExist

from .registry import registry


@register()
def object_types_complete(app_configs: Any, **kwargs: Any) -> list[Error]:
    """Each declared object type must name a model that has the platform's base fields."""
    errors = []
    for object_type in registry.all():
        model = object_type.model
        for field in ("version", "custom_field_data", "created_at", "updated_at"):
            try:
                model._meta.get_field(field)
            except FieldDoesNotExist:
                errors.append(Error(f"{model.__name__} lacks '{field}'", obj=model, id="guanxi.E001"))
    return errors
