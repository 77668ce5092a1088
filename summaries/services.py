"""PDF case summaries (SPEC 3.7): who may ask for one, the request, its
progress, the download and the housekeeping.

A request is one transaction: the ``CaseSummary`` row in status ``queued`` (the
outbox), its audit row, and a hand-over to a worker after commit that may fail
without harm, because a beat sweep re-dispatches rows that sit too long. What
goes into the PDF is decided when it is rendered, by the requester's
permissions at that moment (``summaries.pdf``), never at request time.

A summary belongs to the person who asked for it: nobody else sees its status
or downloads it, not even another manager of the same team (they ask for their
own, and their own is audited to them).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from cases import selectors
from cases.models import Case
from meetings.models import AgencyReport, Meeting, MeetingCase
from meetings.selectors import (
    meetings_for,
    meetings_for_case,
    own_agency_ids,
    reports_visible_to,
)
from safeguard.audit.services import audit_record
from safeguard.queue import enqueue
from summaries.models import CaseSummary

log = logging.getLogger(__name__)

# By name, not by import: the tasks module imports this one (safeguard.queue).
# It runs on the ``pdf`` queue (CELERY_TASK_ROUTES).
RENDER_TASK = "summaries.tasks.render_case_summary"

User = AbstractBaseUser | AnonymousUser

# A row claimed longer ago than the hard time limit belongs to a dead worker:
# no live render can still be running, so taking it over cannot render twice.
STUCK_AFTER = dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 30)
# A queued row whose message was lost (broker down at request time) waits this
# long before the sweep hands it out again.
QUEUED_TOO_LONG = dt.timedelta(minutes=2)
REDISPATCH_EVERY = dt.timedelta(minutes=10)
MAX_ATTEMPTS = 3

NO_ACCESS_REASON = "You no longer have access to this case"
GAVE_UP_REASON = (
    "The summary could not be produced after several attempts. Request it again; if it "
    "fails again, tell your system administrator."
)


# Who may ask ---------------------------------------------------------------


def can_request_summary(user: User, case: Case, *, meeting_id: uuid.UUID | None = None) -> bool:
    """A manager of the case's lead agency may print a summary (SPEC 1); an
    invitee may ask for the pack of a meeting they are invited to."""
    if not user.is_authenticated:
        return False
    # The memberships and lead access the case page has already read this request.
    if selectors.is_lead_manager(user, case):
        return True
    if meeting_id is not None:
        return is_meeting_invitee(user, case, meeting_id)
    return False


def is_meeting_invitee(user: User, case: Case, meeting_id: uuid.UUID) -> bool:
    """Invited to the meeting on ``case`` (their agency, or them by name), or its chair:
    they may ask for the meeting pack, rendered at their own level of access."""
    meeting = meetings_for(user).filter(pk=meeting_id, subjects__case=case).first()
    if meeting is None or meeting.is_finalised:
        return False
    if meeting.chair_id == user.pk:
        return True
    return meeting.invitations.filter(
        Q(agency_id__in=own_agency_ids(user)) | Q(person=user)
    ).exists()


def conference_decisions_for(user: User, case: Case) -> list[str]:
    """The decisions of the case's latest finalised conference, as lines of text:
    the decision with its category's label, the chair's reasons, the dates it
    set and every dissent with its reason.

    Meeting outcomes are shared with every agency on the case (SPEC 2), so
    anyone who may see the case reads them; a dissent from the decision is part
    of that outcome (Working Together 2023, 2.5: disagreement is recorded). The
    agency reports and minutes stay on the meeting, for its invitees
    (``meeting_reports_for``).
    """
    place = (
        MeetingCase.objects.filter(
            case=case,
            meeting__kind__in=[Meeting.Kind.ICPC, Meeting.Kind.RCPC],
            meeting__finalised_at__isnull=False,
        )
        .select_related("meeting")
        .order_by("-meeting__scheduled_at")
        .first()
    )
    if place is None:
        return []
    meeting = place.meeting
    held = timezone.localtime(meeting.scheduled_at)
    line = f"{meeting.get_kind_display()} {meeting.reference}, {held:%-d %B %Y}: "
    line += place.get_decision_display() or "no decision recorded"
    if place.category:
        line += f"; category of abuse: {place.category_label}"
    lines = [line]
    if place.decision_notes.strip():
        lines.append(f"Reasons: {place.decision_notes.strip()}")
    if place.first_core_group_on:
        lines.append(f"First core group by {place.first_core_group_on:%-d %B %Y}")
    if place.next_review_on:
        lines.append(f"Next review conference by {place.next_review_on:%-d %B %Y}")
    dissent = meeting.dissents.filter(case=case).select_related("agency")
    lines.extend(
        f"Dissent recorded: {d.person_name}, {d.agency.name}. Reason: {d.reason}" for d in dissent
    )
    return lines


def meeting_people_for(user: User, case: Case) -> dict | None:
    """Who was invited to the case's latest conference, core group or MDT (the one
    to come, for a meeting pack), by agency and by name, and whether they came:
    a meeting's attendance is part of its record for everyone who sees it."""
    meeting = (
        meetings_for_case(user, case)
        .filter(
            kind__in=[
                Meeting.Kind.ICPC,
                Meeting.Kind.RCPC,
                Meeting.Kind.CORE_GROUP,
                Meeting.Kind.MDT,
            ],
            cancelled_at__isnull=True,
        )
        .first()
    )
    if meeting is None:
        return None
    return {
        "meeting": meeting,
        "invitations": list(meeting.invitations.select_related("agency", "person")),
        "attendees": list(meeting.attendees.select_related("agency")),
    }


def childs_wishes_for(user: User, case: Case) -> list[dict]:
    """The child's wishes and feelings as each record gives them, oldest first:
    assessments and section 47 enquiries at the lead agency's level, and the
    agency reports the user may read. A record that is silent says "Not recorded"."""
    rows: list[dict] = []
    if selectors.has_lead_access(user, case):
        for assessment in case.assessments.filter(completed_on__isnull=False):
            rows.append(
                {
                    "on": assessment.completed_on,
                    "source": "Child and family assessment",
                    "text": assessment.wishes_summary,
                }
            )
        for enquiry in case.section47_enquiries.filter(completed_on__isnull=False):
            rows.append(
                {
                    "on": enquiry.completed_on,
                    "source": "Section 47 enquiry",
                    "text": enquiry.wishes_summary,
                }
            )
    for report in meeting_reports_for(user, case):
        rows.append(
            {
                "on": timezone.localtime(report.submitted_at).date(),
                "source": f"{report.agency.name}, report to {report.meeting.reference}",
                "text": report.wishes_summary,
            }
        )
    return sorted(rows, key=lambda row: row["on"])


def meeting_reports_for(user: User, case: Case) -> list[AgencyReport]:
    """The agency reports to the case's meetings that ``user`` reads on those
    meetings' pages, oldest meeting first: who sent each and what it says."""
    return list(
        reports_visible_to(user, meetings_for_case(user, case))
        .select_related("meeting", "agency", "author")
        .order_by("meeting__scheduled_at", "submitted_at")
    )


# The request ---------------------------------------------------------------


def _validate_range(date_from: dt.date | None, date_to: dt.date | None) -> None:
    today = timezone.localdate()
    errors = {}
    if date_from and date_from > today:
        errors["date_from"] = "The start date must be today or in the past"
    if date_from and date_to and date_to < date_from:
        errors["date_to"] = "The end date must be the same as or after the start date"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def summary_request(
    *,
    acting_user: AbstractBaseUser,
    case: Case,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    purpose: str = CaseSummary.Purpose.CASE,
    meeting_id: uuid.UUID | None = None,
) -> CaseSummary:
    """Ask for a PDF summary of ``case`` (which came from a selector for
    ``acting_user``). Asking twice for the same thing while the first is still
    in hand returns the first, so a double click makes one PDF."""
    if not can_request_summary(acting_user, case, meeting_id=meeting_id):
        raise PermissionDenied("You cannot request a summary of this case.")
    if purpose == CaseSummary.Purpose.MEETING_PACK and meeting_id is None:
        raise ValidationError("A meeting pack needs its meeting.")
    _validate_range(date_from, date_to)
    pending = CaseSummary.objects.filter(
        case=case,
        requested_by=acting_user,
        purpose=purpose,
        meeting_id=meeting_id,
        date_from=date_from,
        date_to=date_to,
        status__in=[CaseSummary.Status.QUEUED, CaseSummary.Status.RENDERING],
    )
    if (first := pending.first()) is not None:
        return first
    try:
        # A savepoint: when the same request made at the same moment wins the
        # unique index, this one is undone alone and the first is returned.
        with transaction.atomic():
            summary = CaseSummary.objects.create(
                case=case,
                requested_by=acting_user,
                purpose=purpose,
                meeting_id=meeting_id,
                date_from=date_from,
                date_to=date_to,
            )
    except IntegrityError:
        if (first := pending.first()) is not None:
            return first
        raise
    row = audit_record(
        user=acting_user,
        action="create",
        event="case_summary_requested",
        obj=summary,
        case_id=case.pk,
        detail={
            "summary": str(summary.pk),
            "purpose": purpose,
            "meeting": str(meeting_id) if meeting_id else None,
            "date_from": date_from.isoformat() if date_from else None,
            "date_to": date_to.isoformat() if date_to else None,
        },
    )
    summary.audit_reference = str(row.pk)
    summary.save(update_fields=["audit_reference"])
    transaction.on_commit(lambda pk=summary.pk: dispatch_summary(pk))
    return summary


def dispatch_summary(summary_id: uuid.UUID | str) -> None:
    """Hand a queued summary to a worker. Failing here loses nothing: the row
    is still queued and the sweep hands it out again."""
    if not enqueue(RENDER_TASK, args=[str(summary_id)]):
        log.warning("Case summary %s waits for the sweep", summary_id)


# Reading -------------------------------------------------------------------


def summaries_for(user: User, case: Case) -> QuerySet[CaseSummary]:
    """The user's own summaries of ``case`` (which came from a selector)."""
    if not user.is_authenticated:
        return CaseSummary.objects.none()
    return CaseSummary.objects.filter(case=case, requested_by=user).order_by("-created_at")


def get_summary_for(
    user: User, case_id: uuid.UUID | str, summary_id: uuid.UUID | str, *, audit: bool = False
) -> CaseSummary:
    """The user's own summary, on a case they may still see; anything else,
    including another person's summary, is a 404."""
    case = selectors.get_case_for(user, case_id, audit=audit)
    summary = summaries_for(user, case).filter(pk=summary_id).select_related("case__child").first()
    if summary is None:
        raise Http404("No such summary")
    return summary


def summary_downloaded(*, user: AbstractBaseUser, summary: CaseSummary) -> None:
    """Every download is on the record with the file's hash, so a printed copy
    can be traced to the request, the person and the moment."""
    audit_record(
        user=user,
        action="download",
        event="case_summary_downloaded",
        obj=summary,
        case_id=summary.case_id,
        detail={
            "summary": str(summary.pk),
            "sha256": summary.sha256,
            "pages": summary.page_count,
            "request_audit_reference": summary.audit_reference,
        },
    )


# Worker side ---------------------------------------------------------------


def summary_claim(summary_id: uuid.UUID | str) -> CaseSummary | None:
    """Take a summary to render, atomically: a queued one, or one a dead worker
    left behind. ``None`` when it is done, failed, or in a live worker's hands."""
    now = timezone.now()
    claimed = (
        CaseSummary.objects.filter(pk=summary_id)
        .filter(
            Q(status=CaseSummary.Status.QUEUED)
            | Q(status=CaseSummary.Status.RENDERING, claimed_at__lt=now - STUCK_AFTER)
        )
        .update(status=CaseSummary.Status.RENDERING, claimed_at=now)
    )
    if not claimed:
        return None
    summary = CaseSummary.objects.select_related("case", "requested_by").get(pk=summary_id)
    CaseSummary.objects.filter(pk=summary_id).update(attempts=summary.attempts + 1)
    summary.attempts += 1
    return summary


def summary_fail(summary_id: uuid.UUID | str, reason: str) -> None:
    CaseSummary.objects.filter(
        pk=summary_id, status__in=[CaseSummary.Status.QUEUED, CaseSummary.Status.RENDERING]
    ).update(status=CaseSummary.Status.FAILED, failure_reason=reason[:300])


def summary_release(summary_id: uuid.UUID | str) -> None:
    """Give a claimed summary back to the queue, for a retry."""
    CaseSummary.objects.filter(pk=summary_id, status=CaseSummary.Status.RENDERING).update(
        status=CaseSummary.Status.QUEUED, claimed_at=None
    )


def expiry_from(moment: dt.datetime) -> dt.datetime:
    return moment + dt.timedelta(hours=settings.CASE_SUMMARY_EXPIRY_HOURS)


def summaries_redispatch_stuck() -> int:
    """Hand out again the summaries whose message was lost or whose worker
    died; give up on those that have been tried too often."""
    now = timezone.now()
    lost = Q(status=CaseSummary.Status.QUEUED) & (
        Q(redispatched_at__isnull=True, created_at__lt=now - QUEUED_TOO_LONG)
        | Q(redispatched_at__lt=now - REDISPATCH_EVERY)
    )
    abandoned = Q(status=CaseSummary.Status.RENDERING, claimed_at__lt=now - STUCK_AFTER)
    stuck = CaseSummary.objects.filter(lost | abandoned)
    stuck.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=CaseSummary.Status.FAILED, failure_reason=GAVE_UP_REASON
    )
    ids = list(stuck.filter(attempts__lt=MAX_ATTEMPTS).values_list("id", flat=True)[:200])
    CaseSummary.objects.filter(pk__in=ids).update(redispatched_at=now)
    for summary_id in ids:
        dispatch_summary(summary_id)
    return len(ids)


def summaries_expire() -> int:
    """Delete the files of expired summaries: copies of case data should not
    outlive the need for them. The rows stay, as the record of what was made."""
    from django.core.files.storage import default_storage

    expired = CaseSummary.objects.filter(expires_at__lte=timezone.now()).exclude(file="")
    count = 0
    for summary in expired.only("id", "file")[:500]:
        default_storage.delete(summary.file.name)
        CaseSummary.objects.filter(pk=summary.pk).update(file="")
        count += 1
    return count
