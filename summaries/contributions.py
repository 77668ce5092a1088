"""What summaries add, registered at start-up (``SummariesConfig.ready``): the
"Request a PDF summary" link on the case page, the meeting pack on the meeting
page, and the periodic sweeps."""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.auth.models import AbstractBaseUser

from cases.models import Case
from cases.sections import CaseSection, register_case_section
from meetings.models import Meeting, MeetingCase
from meetings.sections import MeetingSection, register_meeting_section
from safeguard import beat
from summaries.services import can_request_summary, is_meeting_invitee


def _case_link(user: AbstractBaseUser, case: Case) -> dict:
    return {"may_summarise": can_request_summary(user, case)}


def _meeting_pack(
    user: AbstractBaseUser, meeting: Meeting, subjects: Sequence[MeetingCase]
) -> dict:
    if not subjects:
        return {"can_request_pack": False}
    return {"can_request_pack": is_meeting_invitee(user, subjects[0].case, meeting.pk)}


def register() -> None:
    register_case_section(
        CaseSection(
            name="summaries",
            slot="header",
            template="summaries/includes/case_link.html",
            context=_case_link,
        )
    )
    register_meeting_section(
        MeetingSection(
            name="meeting_pack",
            template="summaries/includes/meeting_pack.html",
            context=_meeting_pack,
        )
    )
    # The queued rows are the outbox: a message lost with the broker or a
    # killed worker is sent again by this sweep.
    beat.register(
        "summaries-redispatch-stuck",
        task="summaries.tasks.sweep_case_summaries",
        every_seconds=60,
    )
    beat.register(
        "summaries-delete-expired", task="summaries.tasks.expire_case_summaries", every_seconds=300
    )
