"""The events a webhook can subscribe to: created / updated / deleted for every registered object type, plus
the domain events apps declare with `guanxi.core.events.declare(name, label)`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.text import capfirst
from django.utils.translation import gettext as _g

from guanxi.core import events as core_events
from guanxi.core.registry import registry

RECORD_ACTIONS = ("created", "updated", "deleted")


@dataclass(frozen=True)
class EventChoice:
    name: str
    label: str
    group: str
    object_type: str


def _record_label(object_type_label: Any, action: str) -> str:
    labels = {
        "created": _g("%(type)s created"),
        "updated": _g("%(type)s updated"),
        "deleted": _g("%(type)s deleted"),
    }
    return labels[action] % {"type": capfirst(str(object_type_label))}


def _load_declarations() -> None:
    """Apps declare domain events where they emit them (their services modules): import those, so the list
    is complete in a process that has not written anything yet."""
    for object_type in registry.all():
        for component in ("create", "update", "delete"):
            if getattr(object_type, component):
                try:
                    getattr(object_type, f"{component}_service")
                except (ImportError, AttributeError, LookupError):
                    continue


def available_events() -> list[EventChoice]:
    """Every event in the order the picker shows them: each object type's record events, then the
    domain events (labels in the active language)."""
    _load_declarations()
    choices: list[EventChoice] = []
    for object_type in registry.all():
        group = str(capfirst(object_type.label_plural))
        for action in RECORD_ACTIONS:
            choices.append(
                EventChoice(
                    name=f"{object_type.key}.{action}",
                    label=_record_label(object_type.label, action),
                    group=group,
                    object_type=object_type.key,
                )
            )
    domain_group = _g("Business events")
    for name, label in sorted(core_events.domain_events().items()):
        choices.append(
            EventChoice(
                name=name,
                label=str(capfirst(str(label))),
                group=domain_group,
                object_type=name.rsplit(".", 1)[0],
            )
        )
    return choices


def event_names() -> list[str]:
    return [choice.name for choice in available_events()]


def grouped_events() -> list[tuple[str, list[EventChoice]]]:
    groups: dict[str, list[EventChoice]] = {}
    for choice in available_events():
        groups.setdefault(choice.group, []).append(choice)
    return list(groups.items())


def is_record_event(name: str) -> bool:
    return name.rsplit(".", 1)[-1] in RECORD_ACTIONS and registry.find(name.rsplit(".", 1)[0]) is not None
