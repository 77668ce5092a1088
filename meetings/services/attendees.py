"""People at a meeting by name, and who must take part in a strategy discussion.

Conferences and core groups invite people who are not users of the product:
parents and carers, the child, an advocate, and professionals of the involved
agencies by name. The chair's record says whether each came (present, sent
apologies, did not attend), as it does for invited agencies.

A strategy discussion includes local authority children's social care, the
police and health (Working Together 2023, 4.2): the lead agency is there in its
chair; the police and health must each have someone recorded as present,
through their agency's invitation or a named professional, before the record
can be finalised.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F

from agencies.models import Agency
from meetings.models import Meeting, MeetingAttendee, MeetingInvitation
from meetings.selectors import agencies_on_the_case
from meetings.services.common import can_manage, lock_meeting, require_open
from safeguard.audit.services import audit_record

PRESENT = MeetingInvitation.Attendance.PRESENT
# The family takes part in conferences, core groups and MDTs; a strategy
# discussion is between professionals.
FAMILY_KINDS = {
    MeetingAttendee.Kind.PARENT,
    MeetingAttendee.Kind.CHILD,
    MeetingAttendee.Kind.ADVOCATE,
    MeetingAttendee.Kind.FAMILY,
}
# Working Together 2023: the agencies a strategy discussion cannot do without,
# besides the local authority's children's social care (its chair).
STRATEGY_PARTNERS = (
    (Agency.Kind.POLICE, "the police"),
    (Agency.Kind.HEALTH, "health"),
)


def attendee_agencies(meeting: Meeting):
    """Agencies a named professional may come from: those on the case, and the lead."""
    return Agency.objects.filter(
        pk__in=[*agencies_on_the_case(meeting).values_list("pk", flat=True), meeting.lead_agency_id]
    ).order_by("name")


@transaction.atomic
def attendee_add(
    *,
    acting_user: AbstractBaseUser,
    meeting: Meeting,
    name: str,
    kind: str,
    role: str,
    agency: Agency | None = None,
) -> MeetingAttendee:
    if not can_manage(acting_user, meeting):
        raise PermissionDenied("The chair or the lead agency invites people to the meeting.")
    meeting = lock_meeting(meeting)
    require_open(meeting)
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = "Enter the person's name"
    if not role.strip():
        errors["role"] = "Enter their role, for example 'Mother' or 'Health visitor'"
    if kind not in MeetingAttendee.Kind.values:
        errors["kind"] = "Choose who they are"
    elif kind in FAMILY_KINDS and meeting.kind == Meeting.Kind.STRATEGY:
        errors["kind"] = (
            "A strategy discussion is between professionals: invite the family to the conference"
        )
    elif kind == MeetingAttendee.Kind.PROFESSIONAL:
        if agency is None:
            errors["agency"] = "Choose the professional's agency"
        elif not attendee_agencies(meeting).filter(pk=agency.pk).exists():
            errors["agency"] = "Choose an agency involved in the case"
    else:
        agency = None  # family and advocates come as themselves
    if errors:
        raise ValidationError(errors)
    if meeting.attendees.filter(name__iexact=name.strip(), role__iexact=role.strip()).exists():
        raise ValidationError({"name": f"{name.strip()} is already invited as {role.strip()}"})
    attendee = MeetingAttendee.objects.create(
        meeting=meeting,
        name=name.strip(),
        kind=kind,
        role=role.strip(),
        agency=agency,
        added_by=acting_user,
    )
    # The chair's record form lists attendees: a form opened before this is stale.
    Meeting.objects.filter(pk=meeting.pk).update(version=F("version") + 1)
    audit_record(
        user=acting_user,
        action="create",
        event="meeting_attendee_added",
        obj=meeting,
        detail={
            "attendee": str(attendee.pk),
            "kind": kind,
            "agency": agency.slug if agency else None,
        },
    )
    return attendee


def attendance_problems(meeting: Meeting) -> list[tuple[str, str]]:
    """Named attendees whose attendance is not yet recorded."""
    return [
        (f"person-attendance-{a.pk}", f"Record whether {a.name} ({a.role}) attended")
        for a in meeting.attendees.all()
        if not a.attendance
    ]


def strategy_participant_problems(meeting: Meeting) -> list[tuple[str, str]]:
    """A strategy discussion without the police or health present cannot be finalised."""
    if meeting.kind != Meeting.Kind.STRATEGY:
        return []
    present_kinds = set(
        meeting.invitations.filter(attendance=PRESENT).values_list("agency__kind", flat=True)
    ) | set(
        meeting.attendees.filter(attendance=PRESENT, agency__isnull=False).values_list(
            "agency__kind", flat=True
        )
    )
    return [
        (
            # No one field to point at: the invitation or a named professional.
            "",
            f"A strategy discussion includes {label} (Working Together 2023): invite "
            f"{label} and record someone from {label} as present",
        )
        for kind, label in STRATEGY_PARTNERS
        if kind not in present_kinds
    ]


def strategy_participants(meeting: Meeting) -> list[dict]:
    """Who took part, by agency: for the strategy discussion's page."""
    by_agency: dict[str, list[str]] = {}
    for invitation in meeting.invitations.select_related("agency", "person"):
        if invitation.attendance == PRESENT:
            who = (
                invitation.person.get_full_name() or invitation.person.get_username()
                if invitation.person
                else "(agency)"
            )
            by_agency.setdefault(invitation.agency.name, []).append(who)
    for attendee in meeting.attendees.select_related("agency"):
        if attendee.attendance == PRESENT and attendee.agency:
            by_agency.setdefault(attendee.agency.name, []).append(
                f"{attendee.name}, {attendee.role}"
            )
    return [{"agency": name, "people": people} for name, people in sorted(by_agency.items())]
