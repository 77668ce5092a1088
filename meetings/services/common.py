"""What the meeting services share: who may schedule and manage a meeting,
the guards every write applies, and the chronology line a meeting leaves on
each child's case."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency
from agencies.roles import Role
from cases import selectors
from cases.access import lock_cases
from cases.concurrency import person
from cases.models import Case, ChronologyEntry
from cases.services import statutory as statutory_work
from meetings.models import Meeting
from meetings.selectors import InviteRules, invite_rules

CHAIR_ROLES = (Role.CHAIR, Role.MANAGER)


def meeting_link(meeting: Meeting) -> str:
    return reverse("meeting_detail", args=[meeting.pk])


def chairs_for(agency: Agency) -> QuerySet:
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__agency=agency,
            memberships__is_active=True,
            memberships__role__in=list(CHAIR_ROLES),
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def can_schedule(user: AbstractBaseUser, case: Case) -> bool:
    """The lead agency's workers, and the chair of an earlier meeting on the case."""
    if case.status != Case.Status.OPEN or not selectors.has_lead_access(user, case):
        return False
    return (
        statutory_work._lead_worker(user, case)
        or case.meeting_links.filter(meeting__chair=user).exists()
    )


def can_manage(user: AbstractBaseUser, meeting: Meeting) -> bool:
    if meeting.chair_id == user.pk:
        return True
    return all(statutory_work._lead_worker(user, c) for c in meeting_cases(meeting))


def lock_meeting(meeting: Meeting) -> Meeting:
    """Lock the meeting's row (after its cases' rows: a case before a meeting, see
    ``cases.access.lock_case``) and return it as now committed. Every write that
    checks the meeting's state first (still open, the next agenda position, the
    record's version) takes this, so an edit cannot land after the record is
    finalised, and the chair's saves and the finalising run one at a time."""
    lock_cases(meeting.subjects.values_list("case_id", flat=True))
    list(Meeting.objects.select_for_update(of=("self",)).filter(pk=meeting.pk).values_list("pk"))
    # Read after the lock is held: what is committed now, and nobody else can
    # change it before this transaction ends. The caller's object is refreshed
    # in place so it never acts on the copy it loaded before.
    meeting.refresh_from_db()
    return meeting


class RecordFinal(ValidationError):
    """A change to a record that is final, often one that waited while it was
    being finalised: the page shows the message, the API answers 409."""


class ManagerAuthorisationNeeded(PermissionDenied):
    """Inviting an agency of another local authority needs a lead-agency manager."""

    def __init__(self, rules: InviteRules) -> None:
        super().__init__(
            f"{rules.agency.name} is in another local authority: inviting them shares "
            f"the child's record across authorities, so a manager of "
            f"{rules.lead_agency.name} must authorise it. Ask a manager to invite "
            "them, or send the invitation for a manager to authorise."
        )
        self.rules = rules


def require_invitable(
    user: AbstractBaseUser,
    cases: Meeting | list[Case],
    lead_agency: Agency,
    agency: Agency,
    reason: str,
) -> InviteRules:
    """The rules every invitation passes, on every path: an agency with no part
    in the case needs a reason; one of another local authority needs a manager
    of the lead agency (``ManagerAuthorisationNeeded``)."""
    rules = invite_rules(user, cases, lead_agency, agency)
    if rules.needs_reason and not reason.strip():
        raise ValidationError(
            {
                "reason": f"{agency.name} is not involved in the case: inviting them shares "
                "the child's record with them. Give the reason they are needed"
            }
        )
    if rules.needs_manager:
        raise ManagerAuthorisationNeeded(rules)
    return rules


def require_open(meeting: Meeting) -> None:
    if meeting.is_finalised:
        when = timezone.localtime(meeting.finalised_at)
        raise RecordFinal(
            f"{person(meeting.finalised_by)} finalised this record on "
            f"{when:%-d %B %Y at %H:%M}: it cannot be changed now. Add an addendum."
        )
    if meeting.is_cancelled:
        raise ValidationError("This meeting was cancelled: nothing more is recorded for it.")


def require_chair(user: AbstractBaseUser, meeting: Meeting) -> None:
    if meeting.chair_id != user.pk:
        raise PermissionDenied("Only the chair can do this.")


def meeting_chronology(meeting: Meeting, user, title: str, body: str = "", cases=None) -> None:
    ChronologyEntry.objects.bulk_create(
        ChronologyEntry(
            case=case,
            occurred_at=timezone.now(),
            agency=meeting.lead_agency,
            kind=ChronologyEntry.Kind.MEETING,
            title=title,
            body=body,
            source_reference=meeting.reference,
            created_by=user,
        )
        for case in (cases if cases is not None else meeting_cases(meeting))
    )


def meeting_cases(meeting: Meeting) -> list[Case]:
    return [s.case for s in meeting.subjects.select_related("case")]
