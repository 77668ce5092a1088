"""Sections other apps contribute to the case page.

``cases`` knows nothing of meetings or summaries: each app registers, in its
``AppConfig.ready()``, a template for a slot of the case page ("header" under
the title, "main" in the record's column) and a function that returns the
context that template needs, read through that app's own permission-scoped
selectors for the person viewing the page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser

from cases.models import Case

SLOTS = ("header", "main")


@dataclass(frozen=True)
class CaseSection:
    name: str
    slot: str
    template: str
    context: Callable[[AbstractBaseUser, Case], dict[str, Any]]
    # A "main" section with a heading: the page's contents list links to
    # ``#anchor`` (the heading's id in ``template``) under ``title``.
    title: str = ""
    anchor: str = ""


_sections: dict[str, CaseSection] = {}


def register_case_section(section: CaseSection) -> None:
    if section.slot not in SLOTS:
        raise ValueError(f"Case page slot {section.slot!r} is not one of {SLOTS}")
    _sections[section.name] = section


def case_sections_for(user: AbstractBaseUser, case: Case) -> tuple[dict[str, list], dict]:
    """The sections by slot, and the context they add to the case page."""
    by_slot: dict[str, list] = {slot: [] for slot in SLOTS}
    context: dict[str, Any] = {}
    for section in _sections.values():
        by_slot[section.slot].append(section)
        context.update(section.context(user, case))
    return by_slot, context
