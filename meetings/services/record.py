"""The chair's record of a meeting: attendance, minutes, decisions, dissent
and actions, then finalising it, which carries the decisions to each child's
case; after that the record never changes, and corrections are addenda.

Decisions reach the case only through the plan and section 47 services, so
the case, the chronology and the audit log say the same thing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from agencies.models import Agency
from agencies.roles import CASE_WORKING_ROLES
from agencies.selectors import members_with_roles
from cases.models import Case, CaseAction, Plan
from cases.services import record as actions
from cases.services import statutory as statutory_work
from cases.services import statutory_rules as rules
from cases.services.census_record import plan_latest_category_change
from meetings.clocks import core_group_limit, review_limit
from meetings.models import (
    DECISIONS_BY_KIND,
    AgendaItem,
    Meeting,
    MeetingAddendum,
    MeetingCase,
    MeetingDissent,
    MeetingInvitation,
)
from meetings.services.attendees import attendance_problems, strategy_participant_problems
from meetings.services.common import (
    can_manage,
    lock_meeting,
    meeting_chronology,
    meeting_link,
    require_chair,
    require_open,
)
from safeguard import workdays
from safeguard.audit.services import audit_record
from safeguard.notifications.services import notify


class StaleRecord(Exception):
    """The record was saved elsewhere since this form was loaded."""


@transaction.atomic
def agenda_item_add(
    *, acting_user: AbstractBaseUser, meeting: Meeting, title: str, lead_only: bool = False
) -> AgendaItem:
    require_chair(acting_user, meeting)
    if not title.strip():
        raise ValidationError({"title": "Enter the agenda item"})
    # Under the meeting's lock: still open now, and the next position is ours
    # (a unique constraint on (meeting, position) backs it).
    meeting = lock_meeting(meeting)
    require_open(meeting)
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
    attendee_attendance: Mapping[str, str] | None = None,
) -> Meeting:
    """Save what the chair has recorded so far. Called for every autosave too.

    ``attendee_attendance``: whether each person invited by name came, by their id.

    Keys are the ids of invitations, agenda items and children's places; a
    record saved elsewhere since ``version`` raises ``StaleRecord`` rather than
    overwrite it.
    """
    require_chair(acting_user, meeting)
    locked = lock_meeting(meeting)
    require_open(locked)
    if locked.version != version:
        raise StaleRecord
    allowed = set(DECISIONS_BY_KIND.get(meeting.kind, ()))
    errors: dict[str, list[str]] = {}
    for invitation in meeting.invitations.all():
        value = attendance.get(str(invitation.pk))
        if value is not None and value in MeetingInvitation.Attendance.values:
            invitation.attendance = value
            invitation.save(update_fields=["attendance"])
    for attendee in meeting.attendees.all():
        value = (attendee_attendance or {}).get(str(attendee.pk))
        if value is not None and value in MeetingInvitation.Attendance.values:
            attendee.attendance = value
            attendee.save(update_fields=["attendance"])
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
        # An initial conference's plan starts with a category; a review that
        # continues the plan may change its latest one (blank: unchanged).
        with_category = (MeetingCase.Decision.PLAN, MeetingCase.Decision.CONTINUE_PLAN)
        subject.category = category if decision in with_category else ""
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
    require_chair(acting_user, meeting)
    meeting = lock_meeting(meeting)
    require_open(meeting)
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
    require_chair(acting_user, meeting)
    meeting = lock_meeting(meeting)
    require_open(meeting)
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
    held_on = workdays.local_date(meeting.scheduled_at)
    if held_on > timezone.localdate():
        problems.append(("", "The meeting has not happened yet"))
    for invitation in meeting.invitations.select_related("agency", "person"):
        if not invitation.attendance:
            who = invitation.person.get_full_name() if invitation.person else invitation.agency.name
            problems.append((f"attendance-{invitation.pk}", f"Record whether {who} attended"))
    problems.extend(attendance_problems(meeting))
    problems.extend(strategy_participant_problems(meeting))
    allowed = DECISIONS_BY_KIND.get(meeting.kind)
    for subject in meeting.subjects.select_related("case__child"):
        name = subject.case.child.full_name
        if allowed and subject.decision not in allowed:
            problems.append((f"decision-{subject.pk}", f"Record the decision for {name}"))
            continue
        case = subject.case
        field = f"decision-{subject.pk}"
        current_plan = case.plans.filter(
            kind=Plan.Kind.CHILD_PROTECTION, end_date__isnull=True
        ).first()
        # The same questions the case's services ask when the record is final
        # (cases.services.statutory_rules), asked now so the chair sees them here.
        problem = None
        if subject.decision == MeetingCase.Decision.SECTION_47:
            problem = rules.section47_start_problem(case, held_on)
        elif subject.decision == MeetingCase.Decision.PLAN:
            if not subject.category:
                problems.append(
                    (f"category-{subject.pk}", f"Choose the category of abuse for {name}")
                )
            problem = rules.plan_start_problem(case, Plan.Kind.CHILD_PROTECTION, held_on)
        elif subject.decision == MeetingCase.Decision.END_PLAN and current_plan:
            problem = rules.plan_end_problem(current_plan, held_on)
        if problem:
            problems.append((field, f"{name}: {problem}"))
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
    require_chair(acting_user, meeting)
    meeting = lock_meeting(meeting)
    require_open(meeting)
    if problems := finalise_problems(meeting):
        raise ValidationError([message for _, message in problems])
    held_on = workdays.local_date(meeting.scheduled_at)
    source = meeting.reference
    for subject in meeting.subjects.select_related("case__child"):
        case = subject.case
        if meeting.kind == Meeting.Kind.ICPC:
            # Held, whatever it decided: the enquiry that led here is concluded.
            statutory_work.section47_conclude(
                acting_user=acting_user, case=case, conference=meeting, held_on=held_on
            )
        match subject.decision:
            case MeetingCase.Decision.SECTION_47:
                statutory_work.section47_open(
                    acting_user=acting_user,
                    case=case,
                    started_on=held_on,
                    source=source,
                    strategy_meeting=meeting,
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
                if subject.category:
                    plan = case.plans.get(kind=Plan.Kind.CHILD_PROTECTION, end_date__isnull=True)
                    plan_latest_category_change(
                        acting_user=acting_user,
                        plan=plan,
                        category=subject.category,
                        source=source,
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
        meeting_chronology(
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
        link_path=meeting_link(meeting),
    )
    return meeting


@transaction.atomic
def addendum_add(*, acting_user: AbstractBaseUser, meeting: Meeting, text: str) -> MeetingAddendum:
    meeting = lock_meeting(meeting)
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
