"""The object-type registry: each model declares itself once, and the generic views, the API, permissions,
imports, exports, webhooks and the standard tests all find it here."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from django.db.models import Model

API_GROUPS = ("customers", "sales", "activities", "service", "marketing", "costs", "admin")


@dataclass(frozen=True)
class Column:
    """A list column. `sort` is the order_by field (None: not sortable); `default` shows it unless the
    user picked other columns."""

    name: str
    label: Any
    sort: str | None = None
    default: bool = True
    link: bool = False


@dataclass(eq=False)
class ObjectType:
    key: str
    model: type[Model]
    api_group: str
    url_namespace: str
    ownable: bool = True
    configuration: bool = False
    home_card: bool = False
    searchable: bool = False
    has_custom_fields: bool = True
    has_tags: bool = False
    columns: list[Column] = field(default_factory=list)
    default_sort: str = "-id"
    filterset: str = ""
    serializer: str = ""
    viewset: str = ""
    form: str = ""
    create: str = ""
    update: str = ""
    delete: str = ""
    api_path: str = ""
    icon: str = "circle"
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[str, ...] = ()

    @property
    def label(self) -> Any:
        return self.model._meta.verbose_name

    @property
    def label_plural(self) -> Any:
        return self.model._meta.verbose_name_plural

    def url_name(self, action: str) -> str:
        return f"{self.url_namespace}:{self.key}_{action}"

    def _load(self, dotted: str) -> Any:
        if not dotted:
            raise LookupError(f"object type {self.key!r} does not declare this component")
        return import_string(dotted)

    @cached_property
    def filterset_class(self) -> Any:
        return self._load(self.filterset)

    @cached_property
    def serializer_class(self) -> Any:
        return self._load(self.serializer)

    @cached_property
    def viewset_class(self) -> Any:
        return self._load(self.viewset)

    @cached_property
    def form_class(self) -> Any:
        return self._load(self.form)

    @cached_property
    def create_service(self) -> Callable[..., Any]:
        return self._load(self.create)

    @cached_property
    def update_service(self) -> Callable[..., Any]:
        return self._load(self.update)

    @cached_property
    def delete_service(self) -> Callable[..., Any]:
        return self._load(self.delete)

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)


class Registry:
    def __init__(self) -> None:
        self._by_key: dict[str, ObjectType] = {}
        self._by_model: dict[type, ObjectType] = {}

    def register(self, object_type: ObjectType) -> ObjectType:
        if object_type.api_group not in API_GROUPS:
            raise ValueError(f"unknown api group {object_type.api_group!r}")
        existing = self._by_key.get(object_type.key)
        if existing is not None and existing.model is not object_type.model:
            raise ValueError(f"object type {object_type.key!r} is already registered")
        self._by_key[object_type.key] = object_type
        self._by_model[object_type.model] = object_type
        return object_type

    def get(self, key: str) -> ObjectType:
        return self._by_key[key]

    def for_model(self, model: type[Model] | Model) -> ObjectType:
        cls = model if isinstance(model, type) else type(model)
        return self._by_model[cls._meta.concrete_model]  # type: ignore[index]

    def find(self, key: str) -> ObjectType | None:
        return self._by_key.get(key)

    def all(self) -> Iterable[ObjectType]:
        return list(self._by_key.values())

    def keys(self) -> list[str]:
        return list(self._by_key)

    def choices(self) -> list[tuple[str, Any]]:
        return [(ot.key, ot.label) for ot in self._by_key.values()]


registry = Registry()
