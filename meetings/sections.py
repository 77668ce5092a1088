"""Sections other apps contribute to the meeting page.

``meetings`` knows nothing of the apps that build on it (summaries' meeting
pack): each registers, in its ``AppConfig.ready()``, a template for the
meeting page and a function that returns the context that template needs for
the person viewing it, read through that app's own permission checks. The
same shape as the case page's sections (``cases.sections``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser

from meetings.models import Meeting, MeetingCase


@dataclass(frozen=True)
class MeetingSection:
    name: str
    template: str
    # (viewer, meeting, its children's places) -> context for the template
    context: Callable[[AbstractBaseUser, Meeting, Sequence[MeetingCase]], dict[str, Any]]


_sections: dict[str, MeetingSection] = {}


def register_meeting_section(section: MeetingSection) -> None:
    _sections[section.name] = section


def meeting_sections_for(
    user: AbstractBaseUser, meeting: Meeting, subjects: Sequence[MeetingCase]
) -> tuple[list[MeetingSection], dict[str, Any]]:
    """The sections, in the order registered, and the context they add to the page."""
    context: dict[str, Any] = {}
    for section in _sections.values():
        context.update(section.context(user, meeting, subjects))
    return list(_sections.values()), context
