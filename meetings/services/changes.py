"""Moving a meeting to another date, and cancelling it (SPEC 3.5: "a meeting can
be rescheduled or cancelled with a reason, and invitees are told").

Each is one transaction on the locked meeting row, so a move cannot race a
finalise, a cancellation or another move. Reminders need no moving: the
reminder sweep reads the meeting's dates on every run, and its exactly-once key
carries the due date, so a new date is a new reminder and a cancelled meeting
owes nothing (``meetings.reminders`` leaves cancelled meetings out).
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from agencies.roles import CASE_WORKING_ROLES
from agencies.selectors import members_with_roles
from meetings.clocks import date_errors
from meetings.models import Meeting, MeetingMove
from meetings.services.common import can_manage, lock_meeting, meeting_chronology, meeting_link
from safeguard import workdays
from safeguard.audit.services import audit_record
from safeguard.notifications.services import notify


def _locked_open(acting_user: AbstractBaseUser, meeting: Meeting) -> Meeting:
    # The cases' rows, then the meeting's, as every meeting write takes them.
    locked = lock_meeting(Meeting.objects.get(pk=meeting.pk))
    if not can_manage(acting_user, locked):
        raise PermissionDenied("Only the chair or the lead agency changes the arrangements.")
    if locked.is_finalised:
        raise ValidationError("This meeting has been held and its record is final.")
    if locked.is_cancelled:
        raise ValidationError("This meeting was cancelled.")
    return locked


def _tell_everyone(meeting: Meeting, acting_user: AbstractBaseUser, **message) -> None:
    """The chair and every invitee (a named person, or the invited agency's people)."""
    recipients: dict[int, AbstractBaseUser] = {}
    for invitation in meeting.invitations.select_related("agency", "person"):
        people = (
            [invitation.person]
            if invitation.person
            else members_with_roles(invitation.agency, CASE_WORKING_ROLES)
        )
        recipients.update((p.pk, p) for p in people)
    recipients[meeting.chair_id] = meeting.chair
    recipients.pop(acting_user.pk, None)
    if recipients:
        notify(recipients=list(recipients.values()), reference=meeting.reference, **message)


@transaction.atomic
def meeting_reschedule(
    *,
    acting_user: AbstractBaseUser,
    meeting: Meeting,
    scheduled_at: dt.datetime,
    reason: str,
    late_reason: str = "",
    report_due_on: dt.date | None = None,
) -> Meeting:
    """Move the meeting; the statutory clock is checked again for the new date."""
    locked = _locked_open(acting_user, meeting)
    errors: dict[str, list[str]] = {}
    if not reason.strip():
        errors["reason"] = ["Enter why the meeting is moving"]
    if scheduled_at == locked.scheduled_at:
        errors["scheduled_on"] = ["Enter a date or time different from the current one"]
    day = workdays.local_date(scheduled_at)
    if problems := date_errors(locked.kind, day):
        errors.setdefault("scheduled_on", []).extend(problems)
    # The statutory clock runs from what came before (the strategy discussion,
    # the ICPC), never from this meeting's own date: moving it never moves the
    # date it is due, only whether it will be late.
    late = bool(locked.due_on and day > locked.due_on)
    if late and not late_reason.strip():
        errors["late_reason"] = [
            f"The new date is after the date it is due ({locked.due_on:%-d %B %Y}). "
            "Give the reason it will be late"
        ]
    report_due = report_due_on or locked.report_due_on
    if report_due and report_due > day:
        errors["report_due_on"] = ["Reports must be due on or before the new date"]
    if errors:
        raise ValidationError(errors)
    was = locked.scheduled_at
    MeetingMove.objects.create(
        meeting=locked,
        moved_from=was,
        moved_to=scheduled_at,
        reason=reason.strip(),
        moved_by=acting_user,
    )
    locked.scheduled_at = scheduled_at
    locked.late_reason = late_reason.strip() if late else ""
    locked.report_due_on = report_due
    locked.version += 1
    locked.save(
        update_fields=[
            "scheduled_at",
            "late_reason",
            "report_due_on",
            "version",
            "updated_at",
        ]
    )
    before, after = timezone.localtime(was), timezone.localtime(scheduled_at)
    meeting_chronology(
        locked,
        acting_user,
        f"{locked.get_kind_display()} moved from {before:%-d %B %Y at %H:%M} "
        f"to {after:%-d %B %Y at %H:%M}",
        f"Reason: {reason.strip()}" + (f"\nLate: {locked.late_reason}" if late else ""),
    )
    audit_record(
        user=acting_user,
        action="update",
        event="meeting_rescheduled",
        obj=locked,
        detail={
            "from": was.isoformat(),
            "to": scheduled_at.isoformat(),
            "reason": reason.strip(),
            "late": late,
        },
    )
    _tell_everyone(
        locked,
        acting_user,
        kind="meeting_rescheduled",
        dedupe_key=f"meeting:{locked.pk}:moved-to:{scheduled_at.isoformat()}",
        title=f"{locked.get_kind_display()} moved to {after:%-d %B %Y at %H:%M}"
        + (f"; reports due {report_due:%-d %B %Y}" if report_due else ""),
        link_path=meeting_link(locked),
    )
    meeting.refresh_from_db()
    return locked


@transaction.atomic
def meeting_cancel(*, acting_user: AbstractBaseUser, meeting: Meeting, reason: str) -> Meeting:
    """Cancel the meeting: no reply, report or record is owed under it any more.

    The invitations stay (they are the history of who was asked) but nothing is
    due: the reminder sweep, "My work" and the clocks leave cancelled meetings
    out, so a statutory meeting still to be held is owed again by its own clock.
    """
    locked = _locked_open(acting_user, meeting)
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the meeting is cancelled"})
    locked.cancelled_at = timezone.now()
    locked.cancelled_by = acting_user
    locked.cancellation_reason = reason.strip()
    locked.version += 1
    locked.save(
        update_fields=[
            "cancelled_at",
            "cancelled_by",
            "cancellation_reason",
            "version",
            "updated_at",
        ]
    )
    when = timezone.localtime(locked.scheduled_at)
    meeting_chronology(
        locked,
        acting_user,
        f"{locked.get_kind_display()} on {when:%-d %B %Y} cancelled",
        f"Reason: {reason.strip()}",
    )
    audit_record(
        user=acting_user,
        action="update",
        event="meeting_cancelled",
        obj=locked,
        detail={"reason": reason.strip()},
    )
    _tell_everyone(
        locked,
        acting_user,
        kind="meeting_cancelled",
        dedupe_key=f"meeting:{locked.pk}:cancelled",
        title=f"Cancelled: {locked.get_kind_display().lower()} on {when:%-d %B %Y at %H:%M}. "
        "No report is needed for it",
        link_path=meeting_link(locked),
    )
    meeting.refresh_from_db()
    return locked
