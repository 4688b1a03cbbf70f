"""What the creator page asks of the apps above creators (workflow: tasks and campaigns),
through functions they register in their `AppConfig.ready()` (DESIGN.md: no import upward)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class CreatorSection:
    """A table on the creator page: a title, column headers and rows of (text, url|None)."""

    title: str
    headers: list[str]
    rows: list[list[tuple[Any, str | None]]] = field(default_factory=list)
    empty_text: str = "None yet."
    more_url: str | None = None


SectionProvider = Callable[[Any, Any], list[CreatorSection]]

_section_providers: list[SectionProvider] = []


def register_creator_sections(provider: SectionProvider) -> None:
    """Register `provider(creator, user) -> [CreatorSection]`; registering twice is harmless."""
    if provider not in _section_providers:
        _section_providers.append(provider)


def creator_sections(creator, user) -> list[CreatorSection]:
    """Every registered app's sections for the creator page, in registration order."""
    sections: list[CreatorSection] = []
    for provider in _section_providers:
        sections.extend(provider(creator, user))
    return sections
