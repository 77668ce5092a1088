"""Meetings and conferences, from scheduling to a signed-off record (SPEC 3.5).

One function per user action, each one transaction. A finalised record never
changes again: every write here refuses it, and corrections are addenda.
Decisions reach the case only through the plan and section 47 services, so
the case, the chronology and the audit log say the same thing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency, Membership
from agencies.roles import CASE_WORKING_ROLES, Role
from cases import actions, selectors, statutory_work
from cases.access import involvement_start, sync_case_grants
from cases.models import Case, CaseAction, ChronologyEntry, Involvement, Plan
from cases.services import members_with_roles
from meetings.access import own_agency_ids, sync_meeting_grants
from meetings.clocks import core_group_limit, date_errors, meeting_clock, review_limit
from meetings.models import (
    DECISIONS_BY_KIND,
    AgencyReport,
    AgendaItem,
    Meeting,
    MeetingAddendum,
    MeetingCase,
    MeetingDissent,
    MeetingInvitation,
)
from safeguard import workdays
from safeguard.audit.services import audit_record
from safeguard.core.references import next_reference
from safeguard.notifications.services import notify

CHAIR_ROLES = (Role.CHAIR, Role.MANAGER)
DEFAULT_AGENDA = {
    Meeting.Kind.STRATEGY: ["Information shared", "Risk analysis", "Decision and next steps"],
    Meeting.Kind.ICPC: [
        "Introductions and purpose",
        "Agency reports",
        "Family's views",
        "Analysis of risk",
        "Decision",
        "Outline plan",
    ],
    Meeting.Kind.RCPC: ["Progress on the plan", "Agency updates", "Analysis of risk", "Decision"],
    Meeting.Kind.CORE_GROUP: ["Progress on actions", "Updates", "Next steps"],
    Meeting.Kind.MDT: ["Information shared", "Discussion", "Actions"],
}


class StaleRecord(Exception):
    """The record was saved elsewhere since this form was loaded."""


def _link(meeting: Meeting) -> str:
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


def _require_open(meeting: Meeting) -> None:
    if meeting.is_finalised:
        raise ValidationError("This record is final and cannot be changed. Add an addendum.")


def _require_chair(user: AbstractBaseUser, meeting: Meeting) -> None:
    if meeting.chair_id != user.pk:
        raise PermissionDenied("Only the chair can do this.")


def _chronology(meeting: Meeting, user, title: str, body: str = "", cases=None) -> None:
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


@transaction.atomic
def meeting_schedule(
    *,
    acting_user: AbstractBaseUser,
    kind: str,
    cases: list[Case],
    chair: AbstractBaseUser,
    scheduled_at: dt.datetime,
    location: str = "",
    video_link: str = "",
    follows: Meeting | None = None,
    late_reason: str = "",
    report_due_on: dt.date | None = None,
    purpose: str = "",
    invite: Iterable[Agency] = (),
) -> Meeting:
    if not cases:
        raise ValidationError({"cases": "Choose at least one child"})
    lead_agency = cases[0].lead_agency
    if any(c.lead_agency_id != lead_agency.pk for c in cases):
        raise ValidationError({"cases": "A meeting covers children with the same lead agency"})
    if not all(can_schedule(acting_user, c) for c in cases):
        raise PermissionDenied("You cannot schedule meetings for these children.")
    if not chairs_for(lead_agency).filter(pk=chair.pk).exists():
        raise ValidationError({"chair": "Choose a chair from the lead agency"})
    errors: dict[str, list[str]] = {}
    day = workdays.local_date(scheduled_at)
    if problems := date_errors(kind, day):
        errors["scheduled_on"] = problems
    clock = meeting_clock(kind, cases, follows)
    late = bool(clock.due_on and day > clock.due_on)
    if late and not late_reason.strip():
        errors["late_reason"] = [
            f"This is after the date it is due ({clock.due_on:%-d %B %Y}). "
            "Give the reason it will be late"
        ]
    if report_due_on and (report_due_on > day or report_due_on < timezone.localdate()):
        errors["report_due_on"] = ["Reports must be due between today and the meeting date"]
    if location.strip() == "" and video_link.strip() == "":
        errors["location"] = ["Enter where the meeting will be held, or a video link"]
    if errors:
        raise ValidationError(errors)
    meeting = Meeting.objects.create(
        reference=next_reference("MTG"),
        kind=kind,
        lead_agency=lead_agency,
        chair=chair,
        scheduled_at=scheduled_at,
        location=location.strip(),
        video_link=video_link.strip(),
        follows=clock.runs_from or follows,
        due_on=clock.due_on,
        late_reason=late_reason.strip() if late else "",
        report_due_on=report_due_on,
        purpose=purpose.strip(),
        created_by=acting_user,
    )
    MeetingCase.objects.bulk_create(MeetingCase(meeting=meeting, case=c) for c in cases)
    AgendaItem.objects.bulk_create(
        AgendaItem(meeting=meeting, position=i, title=title)
        for i, title in enumerate(DEFAULT_AGENDA.get(kind, []), start=1)
    )
    sync_meeting_grants(meeting)
    for case in cases:
        sync_case_grants(case)  # the chair now sees the case
    when = timezone.localtime(scheduled_at)
    _chronology(
        meeting,
        acting_user,
        f"{meeting.get_kind_display()} arranged for {when:%-d %B %Y at %H:%M}",
        f"Late: {meeting.late_reason}" if late else "",
        cases=cases,
    )
    audit_record(
        user=acting_user,
        action="create",
        event="meeting_scheduled",
        obj=meeting,
        detail={
            "kind": kind,
            "cases": [c.reference for c in cases],
            "due_on": clock.due_on.isoformat() if clock.due_on else None,
            "late": late,
        },
    )
    if chair.pk != acting_user.pk:
        notify(
            recipients=[chair],
            kind="meeting_chair",
            dedupe_key=f"meeting:{meeting.pk}:chair",
            title=f"You are chairing {meeting.reference} on {when:%-d %B %Y}",
            reference=meeting.reference,
            link_path=_link(meeting),
        )
    for agency in invite:
        meeting_invite(acting_user=acting_user, meeting=meeting, agency=agency)
    return meeting


def can_manage(user: AbstractBaseUser, meeting: Meeting) -> bool:
    if meeting.chair_id == user.pk:
        return True
    return all(statutory_work._lead_worker(user, c) for c in meeting_cases(meeting))


@transaction.atomic
def meeting_invite(
    *,
    acting_user: AbstractBaseUser,
    meeting: Meeting,
    agency: Agency,
    person: AbstractBaseUser | None = None,
    report_requested: bool = True,
) -> MeetingInvitation:
    """Invite an agency (or a named professional in it); it becomes involved in the cases."""
    _require_open(meeting)
    if not can_manage(acting_user, meeting):
        raise PermissionDenied("Only the chair or the lead agency invites.")
    if person is not None and not members_with_roles(agency, CASE_WORKING_ROLES).filter(
        pk=person.pk
    ):
        raise ValidationError({"person": "That person does not work for the agency"})
    invitation, created = MeetingInvitation.objects.get_or_create(
        meeting=meeting,
        agency=agency,
        person=person,
        defaults={"report_requested": report_requested},
    )
    if not created:
        return invitation
    if agency.pk != meeting.lead_agency_id:
        for case in meeting_cases(meeting):
            involvement_start(
                acting_user=acting_user,
                case=case,
                agency=agency,
                level=Involvement.Level.INVOLVED,
                reason=Involvement.Reason.MEETING,
                source_reference=meeting.reference,
            )
    sync_meeting_grants(meeting)
    audit_record(
        user=acting_user,
        action="grant",
        event="meeting_invitation",
        obj=meeting,
        detail={"agency": agency.slug, "person": getattr(person, "username", None)},
    )
    when = timezone.localtime(meeting.scheduled_at)
    title = f"Invitation: {meeting.get_kind_display().lower()} on {when:%-d %B %Y at %H:%M}"
    if report_requested and meeting.report_due_on:
        title += f"; report due {meeting.report_due_on:%-d %B %Y}"
    notify(
        recipients=[person] if person else members_with_roles(agency, CASE_WORKING_ROLES),
        kind="meeting_invitation",
        dedupe_key=f"meeting:{meeting.pk}:invitation:{invitation.pk}",
        title=title,
        reference=meeting.reference,
        link_path=_link(meeting),
    )
    return invitation


def _user_invitations(user: AbstractBaseUser, meeting: Meeting) -> QuerySet[MeetingInvitation]:
    return meeting.invitations.filter(agency_id__in=own_agency_ids(user))


@transaction.atomic
def invitation_respond(
    *, acting_user: AbstractBaseUser, invitation: MeetingInvitation, response: str
) -> MeetingInvitation:
    _require_open(invitation.meeting)
    if not _user_invitations(acting_user, invitation.meeting).filter(pk=invitation.pk).exists():
        raise PermissionDenied("This invitation is to another agency.")
    if response not in (MeetingInvitation.Response.ATTENDING, MeetingInvitation.Response.APOLOGIES):
        raise ValidationError({"response": "Say whether you will attend"})
    invitation.response = response
    invitation.responded_at = timezone.now()
    invitation.save(update_fields=["response", "responded_at"])
    audit_record(
        user=acting_user,
        action="update",
        event="meeting_invitation_answered",
        obj=invitation.meeting,
        detail={"agency": invitation.agency.slug, "response": response},
    )
    return invitation


def report_agencies(user: AbstractBaseUser, meeting: Meeting) -> QuerySet[Agency]:
    """The invited agencies this user may write the meeting report for."""
    return Agency.objects.filter(
        pk__in=_user_invitations(user, meeting).values("agency_id")
    ).distinct()


@transaction.atomic
def report_submit(
    *,
    acting_user: AbstractBaseUser,
    meeting: Meeting,
    agency: Agency,
    text: str,
    shared_with_invitees: bool = True,
) -> AgencyReport:
    _require_open(meeting)
    if not report_agencies(acting_user, meeting).filter(pk=agency.pk).exists():
        raise PermissionDenied("Your agency is not invited to this meeting.")
    if not text.strip():
        raise ValidationError({"text": "Enter your agency's report"})
    report, created = AgencyReport.objects.update_or_create(
        meeting=meeting,
        agency=agency,
        defaults={
            "author": acting_user,
            "text": text.strip(),
            "shared_with_invitees": shared_with_invitees,
        },
        create_defaults={
            "author": acting_user,
            "text": text.strip(),
            "shared_with_invitees": shared_with_invitees,
            "submitted_at": timezone.now(),
        },
    )
    audit_record(
        user=acting_user,
        action="create" if created else "update",
        event="meeting_report_submitted",
        obj=meeting,
        detail={"agency": agency.slug, "shared": shared_with_invitees},
    )
    if created:
        notify(
            recipients=[meeting.chair],
            kind="meeting_report",
            dedupe_key=f"meeting:{meeting.pk}:report:{agency.pk}",
            title=f"{agency.name} sent its report for {meeting.reference}",
            reference=meeting.reference,
            link_path=_link(meeting),
        )
    return report


def report_status(meeting: Meeting, invitations, reports, today: dt.date | None = None):
    """For the chair: each invited agency asked for a report, and whether it is in or late."""
    today = today or timezone.localdate()
    by_agency = {r.agency_id: r for r in reports}
    rows, seen = [], set()
    for invitation in invitations:
        if not invitation.report_requested or invitation.agency_id in seen:
            continue
        seen.add(invitation.agency_id)
        report = by_agency.get(invitation.agency_id)
        due = meeting.report_due_on
        if report:
            submitted = workdays.local_date(report.submitted_at)
            state = "late" if due and submitted > due else "received"
        else:
            state = "overdue" if due and today > due else "awaiting"
        rows.append({"agency": invitation.agency, "report": report, "state": state, "due": due})
    return rows


@transaction.atomic
def agenda_item_add(
    *, acting_user: AbstractBaseUser, meeting: Meeting, title: str, lead_only: bool = False
) -> AgendaItem:
    _require_chair(acting_user, meeting)
    _require_open(meeting)
    if not title.strip():
        raise ValidationError({"title": "Enter the agenda item"})
    position = (
        meeting.agenda_items.order_by("-position").values_list("position", flat=True).first() or 0
    ) + 1
    item = AgendaItem.objects.create(
        meeting=meeting, position=position, title=title.strip(), lead_only=lead_only
    )
    _touch(meeting)
    audit_record(user=acting_user, action="update", event="meeting_agenda_item", obj=meeting)
    return item


def _touch(meeting: Meeting) -> None:
    Meeting.objects.filter(pk=meeting.pk).update(version=F("version") + 1)
    meeting.refresh_from_db(fields=["version"])


@transaction.atomic
def meeting_record(
    *,
    acting_user: AbstractBaseUser,
    meeting: Meeting,
    version: int,
    attendance: Mapping[str, str],
    minutes: Mapping[str, str],
    decisions: Mapping[str, Mapping[str, object]],
) -> Meeting:
    """Save what the chair has recorded so far. Called for every autosave too.

    Keys are the ids of invitations, agenda items and children's places; a
    record saved elsewhere since ``version`` raises ``StaleRecord`` rather than
    overwrite it.
    """
    _require_chair(acting_user, meeting)
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _require_open(locked)
    if locked.version != version:
        raise StaleRecord
    allowed = set(DECISIONS_BY_KIND.get(meeting.kind, ()))
    errors: dict[str, list[str]] = {}
    for invitation in meeting.invitations.all():
        value = attendance.get(str(invitation.pk))
        if value is not None and value in MeetingInvitation.Attendance.values:
            invitation.attendance = value
            invitation.save(update_fields=["attendance"])
    for item in meeting.agenda_items.all():
        value = minutes.get(str(item.pk))
        if value is not None and value != item.minutes:
            item.minutes = value
            item.save(update_fields=["minutes"])
    for subject in meeting.subjects.select_related("case__child"):
        data = decisions.get(str(subject.pk))
        if not data:
            continue
        decision = str(data.get("decision") or "")
        if decision and decision not in allowed:
            errors[f"decision-{subject.pk}"] = ["Choose one of the decisions offered"]
            continue
        category = str(data.get("category") or "")
        if category and category not in Plan.Category.values:
            errors[f"category-{subject.pk}"] = ["Choose a category of abuse"]
            continue
        subject.decision = decision
        subject.category = category if decision == MeetingCase.Decision.PLAN else ""
        subject.decision_notes = str(data.get("decision_notes") or "")
        subject.next_review_on = data.get("next_review_on")
        subject.first_core_group_on = data.get("first_core_group_on")
        subject.save(
            update_fields=[
                "decision",
                "category",
                "decision_notes",
                "next_review_on",
                "first_core_group_on",
            ]
        )
    if errors:
        raise ValidationError(errors)
    Meeting.objects.filter(pk=meeting.pk).update(version=F("version") + 1)
    meeting.refresh_from_db(fields=["version"])
    audit_record(
        user=acting_user,
        action="update",
        event="meeting_record_saved",
        obj=meeting,
        detail={"version": meeting.version},
    )
    return meeting


@transaction.atomic
def dissent_add(
    *,
    acting_user: AbstractBaseUser,
    meeting: Meeting,
    case: Case,
    person_name: str,
    agency: Agency,
    reason: str,
) -> MeetingDissent:
    _require_chair(acting_user, meeting)
    _require_open(meeting)
    if not meeting.subjects.filter(case=case).exists():
        raise ValidationError({"case": "Choose a child this meeting is about"})
    if not meeting.invitations.filter(agency=agency).exists():
        raise ValidationError({"agency": "Choose an agency invited to the meeting"})
    if not person_name.strip() or not reason.strip():
        raise ValidationError("Enter who disagrees and why")
    dissent = MeetingDissent.objects.create(
        meeting=meeting,
        case=case,
        person_name=person_name.strip(),
        agency=agency,
        reason=reason.strip(),
        recorded_by=acting_user,
    )
    _touch(meeting)
    audit_record(
        user=acting_user,
        action="create",
        event="meeting_dissent",
        obj=meeting,
        detail={"agency": agency.slug},
    )
    return dissent


@transaction.atomic
def meeting_action_add(
    *,
    acting_user: AbstractBaseUser,
    meeting: Meeting,
    case: Case,
    description: str,
    agency: Agency,
    owner: AbstractBaseUser | None,
    due_on: dt.date,
) -> CaseAction:
    _require_chair(acting_user, meeting)
    _require_open(meeting)
    if not meeting.subjects.filter(case=case).exists():
        raise ValidationError({"case": "Choose a child this meeting is about"})
    action = actions.action_add(
        acting_user=acting_user,
        case=case,
        description=description,
        agency=agency,
        owner=owner,
        due_on=due_on,
        meeting=meeting,
    )
    _touch(meeting)
    return action


def finalise_problems(meeting: Meeting) -> list[tuple[str, str]]:
    """What must be put right before the record can be finalised: (field, message)."""
    problems: list[tuple[str, str]] = []
    if workdays.local_date(meeting.scheduled_at) > timezone.localdate():
        problems.append(("", "The meeting has not happened yet"))
    for invitation in meeting.invitations.select_related("agency", "person"):
        if not invitation.attendance:
            who = invitation.person.get_full_name() if invitation.person else invitation.agency.name
            problems.append((f"attendance-{invitation.pk}", f"Record whether {who} attended"))
    allowed = DECISIONS_BY_KIND.get(meeting.kind)
    for subject in meeting.subjects.select_related("case__child"):
        name = subject.case.child.full_name
        if allowed and subject.decision not in allowed:
            problems.append((f"decision-{subject.pk}", f"Record the decision for {name}"))
            continue
        current_plan = subject.case.plans.filter(
            kind=Plan.Kind.CHILD_PROTECTION, end_date__isnull=True
        ).exists()
        if subject.decision == MeetingCase.Decision.PLAN:
            if not subject.category:
                problems.append(
                    (f"category-{subject.pk}", f"Choose the category of abuse for {name}")
                )
            if current_plan:
                problems.append(
                    (f"decision-{subject.pk}", f"{name} already has a child protection plan")
                )
        reviews = (MeetingCase.Decision.CONTINUE_PLAN, MeetingCase.Decision.END_PLAN)
        if subject.decision in reviews and not current_plan:
            problems.append(
                (f"decision-{subject.pk}", f"{name} has no child protection plan to review")
            )
        if subject.decision in (MeetingCase.Decision.PLAN, MeetingCase.Decision.CONTINUE_PLAN):
            limit = review_limit(meeting)
            if not subject.next_review_on:
                problems.append(
                    (f"next_review_on-{subject.pk}", f"Enter the review conference date for {name}")
                )
            elif limit and (
                subject.next_review_on > limit
                or subject.next_review_on <= workdays.local_date(meeting.scheduled_at)
            ):
                problems.append(
                    (
                        f"next_review_on-{subject.pk}",
                        f"The review for {name} must be after the meeting and by {limit:%-d %B %Y}",
                    )
                )
        if subject.decision == MeetingCase.Decision.PLAN:
            limit = core_group_limit(meeting)
            if not subject.first_core_group_on:
                problems.append(
                    (f"first_core_group_on-{subject.pk}", f"Enter the first core group for {name}")
                )
            elif subject.first_core_group_on > limit:
                problems.append(
                    (
                        f"first_core_group_on-{subject.pk}",
                        f"The first core group for {name} must be by {limit:%-d %B %Y}",
                    )
                )
    return problems


@transaction.atomic
def meeting_finalise(*, acting_user: AbstractBaseUser, meeting: Meeting) -> Meeting:
    _require_chair(acting_user, meeting)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _require_open(meeting)
    if problems := finalise_problems(meeting):
        raise ValidationError([message for _, message in problems])
    held_on = workdays.local_date(meeting.scheduled_at)
    source = meeting.reference
    for subject in meeting.subjects.select_related("case__child"):
        case = subject.case
        match subject.decision:
            case MeetingCase.Decision.SECTION_47:
                statutory_work.section47_open(
                    acting_user=acting_user, case=case, started_on=held_on, source=source
                )
            case MeetingCase.Decision.PLAN:
                statutory_work.plan_open(
                    acting_user=acting_user,
                    case=case,
                    kind=Plan.Kind.CHILD_PROTECTION,
                    category=subject.category,
                    start_date=held_on,
                    next_review_on=subject.next_review_on,
                    source=source,
                )
            case MeetingCase.Decision.CONTINUE_PLAN:
                # A new version: a page opened before the review cannot end it unseen.
                case.plans.filter(kind=Plan.Kind.CHILD_PROTECTION, end_date__isnull=True).update(
                    next_review_on=subject.next_review_on, version=F("version") + 1
                )
            case MeetingCase.Decision.END_PLAN:
                plan = case.plans.get(kind=Plan.Kind.CHILD_PROTECTION, end_date__isnull=True)
                statutory_work.plan_close(
                    acting_user=acting_user, plan=plan, end_date=held_on, source=source
                )
        outcome = subject.get_decision_display() if subject.decision else "Record finalised"
        if subject.category:
            outcome += f" ({Plan.Category(subject.category).label})"
        dates = []
        if subject.first_core_group_on:
            dates.append(f"First core group by {subject.first_core_group_on:%-d %B %Y}")
        if subject.next_review_on:
            dates.append(f"Review conference by {subject.next_review_on:%-d %B %Y}")
        _chronology(
            meeting,
            acting_user,
            f"{meeting.get_kind_display()} held: {outcome}",
            ". ".join(dates),
            cases=[case],
        )
    meeting.finalised_at = timezone.now()
    meeting.finalised_by = acting_user
    meeting.version += 1
    meeting.save(update_fields=["finalised_at", "finalised_by", "version"])
    audit_record(
        user=acting_user,
        action="transition",
        event="meeting_finalised",
        obj=meeting,
        detail={
            "decisions": {str(s.case_id): s.decision for s in meeting.subjects.all()},
        },
    )
    invited = [i.person for i in meeting.invitations.select_related("person") if i.person]
    agencies = {i.agency for i in meeting.invitations.select_related("agency") if not i.person}
    recipients = list(invited)
    for agency in agencies:
        recipients.extend(members_with_roles(agency, CASE_WORKING_ROLES))
    notify(
        recipients=recipients,
        kind="meeting_finalised",
        dedupe_key=f"meeting:{meeting.pk}:finalised",
        title=f"The record of {meeting.reference} is final",
        reference=meeting.reference,
        link_path=_link(meeting),
    )
    return meeting


@transaction.atomic
def addendum_add(*, acting_user: AbstractBaseUser, meeting: Meeting, text: str) -> MeetingAddendum:
    if not meeting.is_finalised:
        raise ValidationError("Edit the record itself until it is finalised.")
    if not can_manage(acting_user, meeting):
        raise PermissionDenied("Only the chair or the lead agency adds addenda.")
    if not text.strip():
        raise ValidationError({"text": "Enter the correction"})
    addendum = MeetingAddendum.objects.create(
        meeting=meeting, author=acting_user, text=text.strip()
    )
    audit_record(
        user=acting_user,
        action="create",
        event="meeting_addendum",
        obj=meeting,
        detail={"addendum": str(addendum.pk)},
    )
    return addendum


def invitees_to_choose(meeting: Meeting) -> QuerySet[Membership]:
    """Professionals in the invited agencies, for inviting one of them by name."""
    agencies = meeting.invitations.values("agency_id")
    return (
        Membership.objects.filter(
            agency_id__in=agencies,
            is_active=True,
            user__is_active=True,
            role__in=CASE_WORKING_ROLES,
        )
        .select_related("user", "agency")
        .order_by("agency__name", "user__first_name")
    )
