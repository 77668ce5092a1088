"""What meetings add to the case record, registered at start-up
(``MeetingsConfig.ready``): the case page's meetings section, and chairs as
people who see the cases they chair, and the meetings' grants following the
cases' involvements."""

from __future__ import annotations

import uuid

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from cases.access import (
    AccessReason,
    UserGrantSource,
    register_involvement_listener,
    register_user_grant_source,
)
from cases.models import Case
from cases.sections import CaseSection, register_case_section
from cases.selectors import has_lead_access
from meetings import services
from meetings.grants import sync_case_meetings
from meetings.models import Meeting, MeetingCase
from meetings.next_steps import next_steps_for
from meetings.selectors import meetings_for_case
from safeguard.core.compiled import compiled_objects


def _chairs(case: Case) -> set[int]:
    return set(MeetingCase.objects.filter(case=case).values_list("meeting__chair_id", flat=True))


def _chair_reasons(user: AbstractBaseUser, case: Case) -> list[AccessReason]:
    return [
        AccessReason(
            "chair",
            f"Chair of {meeting.get_kind_display().lower()} {meeting.reference}",
            meeting.created_at,
            "lead",
        )
        for meeting in Meeting.objects.filter(subjects__case=case, chair=user).distinct()
    ]


def _case_section(user: AbstractBaseUser, case: Case) -> dict:
    if not user.is_authenticated or not user.is_active:
        return {"meetings": [], "can_schedule_meeting": False}
    # On every case page: its statement (the access rule's grant probes) is
    # compiled once per process and bound to the person and the case.
    meetings = compiled_objects(
        ("case_section_meetings",), _case_meetings, person=user, case=case.pk
    )
    return {"meetings": meetings, "can_schedule_meeting": services.can_schedule(user, case)}


def _case_meetings(person: AbstractBaseUser, case: uuid.UUID) -> QuerySet[Meeting]:
    return meetings_for_case(person, case).select_related("chair")[:20]


def _next_steps_section(user: AbstractBaseUser, case: Case) -> dict:
    # The lead agency's own work: an involved agency is not shown it.
    if not has_lead_access(user, case):
        return {"next_steps": None}
    return {"next_steps": next_steps_for(user, case), "next_steps_case": None}


def register() -> None:
    register_user_grant_source(UserGrantSource(rule="chair", users=_chairs, reasons=_chair_reasons))
    # An invited agency sees a meeting only while it is involved in the case.
    register_involvement_listener(sync_case_meetings)
    register_case_section(
        CaseSection(
            name="next_steps",
            slot="header",
            template="meetings/includes/next_steps.html",
            context=_next_steps_section,
        )
    )
    register_case_section(
        CaseSection(
            name="meetings",
            slot="main",
            template="meetings/includes/case_section.html",
            context=_case_section,
            title="Meetings",
            anchor="meetings",
        )
    )
