"""Meetings and conferences, from scheduling to a signed-off record (SPEC 3.5).

One function per user action, each one transaction. A finalised record never
changes again: every write refuses it, and corrections are addenda.

Three rooms: ``scheduling`` (arranging a meeting, invitations, replies, agency
reports), ``changes`` (moving or cancelling it), ``invitations`` (a manager's
answer to an invitation that needs one) and ``record`` (the chair's record:
attendance, minutes, decisions, dissent, actions, finalising, addenda);
``common`` holds who may schedule and manage, and the guards both use. Callers
use this package as one module (``from meetings import services``).
"""

from meetings.services.attendees import (
    attendee_add,
    attendee_agencies,
    strategy_participant_problems,
    strategy_participants,
)
from meetings.services.changes import meeting_cancel, meeting_reschedule
from meetings.services.common import (
    CHAIR_ROLES,
    ManagerAuthorisationNeeded,
    RecordFinal,
    can_manage,
    can_schedule,
    chairs_for,
)
from meetings.services.invitations import (
    invitation_request_authorise,
    invitation_request_decline,
    invite_or_request,
)
from meetings.services.record import (
    StaleRecord,
    addendum_add,
    agenda_item_add,
    dissent_add,
    finalise_problems,
    meeting_action_add,
    meeting_finalise,
    meeting_record,
)
from meetings.services.scheduling import (
    DEFAULT_AGENDA,
    invitation_request,
    invitation_respond,
    invitation_withdraw,
    invitees_to_choose,
    meeting_invite,
    meeting_schedule,
    report_agencies,
    report_status,
    report_submit,
)

__all__ = [
    "CHAIR_ROLES",
    "DEFAULT_AGENDA",
    "ManagerAuthorisationNeeded",
    "RecordFinal",
    "StaleRecord",
    "addendum_add",
    "attendee_add",
    "attendee_agencies",
    "strategy_participant_problems",
    "strategy_participants",
    "agenda_item_add",
    "can_manage",
    "can_schedule",
    "chairs_for",
    "dissent_add",
    "finalise_problems",
    "invitation_request",
    "invitation_request_authorise",
    "invitation_request_decline",
    "invitation_respond",
    "invitation_withdraw",
    "invitees_to_choose",
    "invite_or_request",
    "meeting_action_add",
    "meeting_cancel",
    "meeting_finalise",
    "meeting_invite",
    "meeting_record",
    "meeting_reschedule",
    "meeting_schedule",
    "report_agencies",
    "report_status",
    "report_submit",
]
