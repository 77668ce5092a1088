"""Everything the local authority holds about the subject of a request, read
across every agency's contribution to the child's record (SPEC 3.9).

This is the information governance officer's legitimate cross-agency read, so
it does not go through the case-working access policy (an auditor sees no case
through it): it reads the record as the controller holds it, every agency's
notes, restricted material and all, and the service that calls it writes one
audit row per case read. Nothing here writes.

For a child: their identity and household, and on each of their cases the case
record, agencies and professionals, concerns, chronology, notes, documents,
assessments, enquiries and plans, actions, meetings, referrals and who has
viewed the record. For an adult in a child's household: their own entries in
the households of the children they are recorded with, and every item on those
children's records that names them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from cases.models import (
    Assessment,
    BodyMapMark,
    Case,
    CaseAction,
    CaseDocument,
    CaseNote,
    CaseProfessional,
    Child,
    ChronologyEntry,
    Concern,
    Episode,
    HouseholdMember,
    Involvement,
    Plan,
    Section47Enquiry,
)
from meetings.models import MeetingCase
from referrals.models import Referral
from safeguard.audit.models import AuditEvent
from subject_access.models import SubjectAccessItem, SubjectAccessRequest

Kind = SubjectAccessItem.Kind
# The access log of a busy case can be long: each case's views are listed up
# to this many, newest first, with the number left out said in the item.
ACCESS_LOG_LIMIT = 500
VIEW_ACTIONS = [AuditEvent.Action.VIEW, AuditEvent.Action.LIST, AuditEvent.Action.DOWNLOAD]


@dataclass
class Gathered:
    kind: str
    source_type: str
    source_id: str
    title: str
    text: str
    case_reference: str = ""
    occurred_at: dt.datetime | None = None
    agency_name: str = ""


@dataclass
class Gathering:
    items: list[Gathered]
    # The cases read, for the caller's one audit row per case.
    cases: list[Case]


def _day(value: dt.date | None) -> str:
    return f"{value:%-d %B %Y}" if value else "not recorded"


def _moment(value: dt.datetime | None) -> str:
    return f"{timezone.localtime(value):%-d %B %Y %H:%M}" if value else "not recorded"


def _lines(*pairs: tuple[str, object]) -> str:
    return "\n".join(f"{label}: {value}" for label, value in pairs if value not in (None, ""))


def identity_item(child: Child) -> Gathered:
    addresses = "\n".join(
        f"  {a.address.strip()} {a.postcode} (on record {_day(a.from_date)} to {_day(a.to_date)})"
        for a in child.address_history.all()
    )
    text = _lines(
        ("Name", child.full_name),
        ("Also known as", child.other_names),
        ("Child reference", child.reference),
        ("Date of birth", _day(child.date_of_birth) if child.date_of_birth else ""),
        (
            "Expected date of birth",
            _day(child.expected_date_of_birth) if child.expected_date_of_birth else "",
        ),
        ("Sex", child.get_sex_display()),
        ("Gender", child.gender),
        ("Ethnicity", child.get_ethnicity_display()),
        ("Disabilities", ", ".join(child.disabilities)),
        ("First language", child.language),
        ("Address", " ".join(f"{child.address} {child.postcode}".split())),
        ("School", child.school),
        ("NHS number", child.nhs_number),
        ("Unique pupil number", child.upn),
        ("Earlier addresses", "\n" + addresses if addresses else ""),
    )
    return Gathered(Kind.IDENTITY, "child", str(child.pk), f"Identity: {child.full_name}", text)


def household_text(member: HouseholdMember) -> str:
    facts = [member.get_relationship_display()]
    if member.lives_with_child:
        facts.append("lives with the child")
    if member.has_parental_responsibility:
        facts.append("has parental responsibility")
    facts.extend(f"flag: {label}" for label in member.flag_labels())
    return f"{member.name} ({'; '.join(facts)})"


def household_item(child: Child) -> Gathered:
    members = list(child.household.all())
    text = "\n".join(household_text(m) for m in members) or "No one is recorded."
    return Gathered(Kind.HOUSEHOLD, "child", str(child.pk), f"Household of {child.full_name}", text)


def concern_items(concerns, case_reference: str = "") -> Iterator[Gathered]:
    """Submitted concerns (drafts were never shared), with their body maps."""
    concerns = concerns.exclude(status=Concern.Status.DRAFT)
    marks: dict = {}
    for mark in BodyMapMark.objects.filter(concern__in=concerns).order_by("added_at"):
        marks.setdefault(mark.concern_id, []).append(
            f"Body map ({mark.get_side_display()}, {mark.get_region_display()}): {mark.description}"
        )
    for concern in concerns.select_related("reporting_agency").order_by("submitted_at"):
        text = _lines(
            ("Reported by", concern.reporting_agency.name),
            ("Seen or heard", concern.account),
            ("When", _day(concern.observed_on) if concern.observed_on else ""),
            ("Categories", ", ".join(concern.categories)),
            ("Immediate risk", "yes" if concern.immediate_risk else "no"),
            ("Already done", concern.actions_taken),
            ("Family aware", concern.get_family_aware_display()),
            ("Basis for sharing", concern.get_sharing_basis_display()),
            ("Why", concern.sharing_reason),
            ("Decision", concern.get_decision_display()),
            ("Reason for the decision", concern.decision_reason),
        )
        yield Gathered(
            Kind.CONCERN,
            "concern",
            str(concern.pk),
            f"Concern {concern.reference}",
            "\n".join([text, *marks.get(concern.pk, [])]),
            case_reference=case_reference,
            occurred_at=concern.submitted_at,
            agency_name=concern.reporting_agency.name,
        )


def case_items(case: Case) -> Iterator[Gathered]:
    """What one case holds, oldest first within each part of the record."""
    ref = case.reference

    def item(kind: str, obj, title: str, text: str, at=None, agency=None) -> Gathered:
        return Gathered(
            kind,
            obj._meta.model_name,
            str(obj.pk),
            title,
            text,
            case_reference=ref,
            occurred_at=at,
            agency_name=agency.name if agency is not None else "",
        )

    worker = case.allocated_worker
    yield item(
        Kind.CASE,
        case,
        f"Case {ref}",
        _lines(
            ("Lead agency", case.lead_agency.name),
            ("Status", case.get_status_display()),
            ("Opened", _moment(case.opened_at)),
            ("Closed", _moment(case.closed_at) if case.closed_at else ""),
            (
                "Allocated worker",
                (worker.get_full_name() or worker.get_username()) if worker else "",
            ),
            ("Team", case.team.name if case.team_id else ""),
            ("Restricted record", "yes" if case.is_restricted else ""),
        ),
        at=case.opened_at,
        agency=case.lead_agency,
    )
    involvements = Involvement.objects.filter(case=case).select_related("agency")
    professionals = CaseProfessional.objects.filter(case=case).select_related("agency")
    lines = [
        f"{i.agency.name}: {i.get_level_display()}, {i.get_reason_display()}, from "
        f"{_moment(i.started_at)}" + (f" to {_moment(i.ended_at)}" if i.ended_at else "")
        for i in involvements
    ]
    lines += [
        f"{p.name}, {p.role}, {p.agency.name}"
        + "".join(f", {c}" for c in (p.phone, p.email) if c)
        + (f" (until {_moment(p.ended_at)})" if p.ended_at else "")
        for p in professionals
    ]
    yield item(Kind.PROFESSIONALS, case, f"Agencies and professionals on {ref}", "\n".join(lines))

    yield from concern_items(Concern.objects.filter(case=case), ref)

    entries = ChronologyEntry.objects.filter(case=case).select_related("agency")
    for entry in entries.order_by("occurred_at", "created_at"):
        yield item(
            Kind.CHRONOLOGY,
            entry,
            f"{entry.get_kind_display()}: {entry.title}",
            entry.body,
            at=entry.occurred_at,
            agency=entry.agency,
        )
    for note in CaseNote.objects.filter(case=case).select_related("agency").order_by("created_at"):
        yield item(
            Kind.NOTE,
            note,
            f"Case note ({note.get_sensitivity_display().lower()})",
            note.text,
            at=note.created_at,
            agency=note.agency,
        )
    documents = CaseDocument.objects.filter(case=case).select_related("agency")
    for document in documents.order_by("uploaded_at"):
        yield item(
            Kind.DOCUMENT,
            document,
            f"Document: {document.title}",
            _lines(
                ("Type", document.content_type),
                ("Size", f"{document.size} bytes"),
                ("SHA-256", document.sha256),
                ("Sensitivity", document.get_sensitivity_display()),
            ),
            at=document.uploaded_at,
            agency=document.agency,
        )

    statutory = [
        *(
            f"Episode from {_day(e.referral_date)} ({e.get_referral_source_display()}; need "
            f"{e.get_primary_need_display()})"
            + (f", closed {_day(e.closure_date)}" if e.closure_date else "")
            for e in Episode.objects.filter(case=case).order_by("referral_date")
        ),
        *(
            f"Child and family assessment from {_day(a.started_on)}"
            + (f", completed {_day(a.completed_on)}" if a.completed_on else "")
            + (f": {a.summary}" if a.summary else "")
            for a in Assessment.objects.filter(case=case).order_by("started_on")
        ),
        *(
            f"Section 47 enquiry from {_day(s.started_on)}"
            + (f": {s.get_outcome_display()}" if s.outcome else "")
            for s in Section47Enquiry.objects.filter(case=case).order_by("started_on")
        ),
        *(
            f"{p.get_kind_display()} from {_day(p.start_date)}"
            + (f" ({p.get_category_display()})" if p.category else "")
            + (f" to {_day(p.end_date)}" if p.end_date else "")
            for p in Plan.objects.filter(case=case).order_by("start_date")
        ),
    ]
    if statutory:
        yield item(
            Kind.STATUTORY, case, f"Assessments, enquiries and plans on {ref}", "\n".join(statutory)
        )
    actions = CaseAction.objects.filter(case=case).select_related("agency").order_by("due_on")
    if actions:
        yield item(
            Kind.ACTION,
            case,
            f"Actions on {ref}",
            "\n".join(
                f"{a.description} ({a.agency.name}, due {_day(a.due_on)}, {a.get_status_display()})"
                for a in actions
            ),
        )

    places = MeetingCase.objects.filter(case=case).select_related("meeting__lead_agency")
    for place in places.order_by("meeting__scheduled_at"):
        meeting = place.meeting
        parts = [
            _lines(
                ("Held", _moment(meeting.scheduled_at)),
                ("Purpose", meeting.purpose),
                ("Decision", place.get_decision_display()),
                ("Category", place.category),
                ("Decision notes", place.decision_notes),
            )
        ]
        parts += [
            f"Agenda {a.position}. {a.title}: {a.minutes}"
            for a in meeting.agenda_items.all()
            if a.minutes
        ]
        parts += [
            f"Report from {r.agency.name}: {r.text}"
            for r in meeting.reports.select_related("agency").order_by("submitted_at")
        ]
        parts += [
            f"Dissent: {d.person_name} ({d.agency.name}): {d.reason}"
            for d in meeting.dissents.filter(case=case).select_related("agency")
        ]
        parts += [f"Addendum: {a.text}" for a in meeting.addenda.order_by("created_at")]
        yield item(
            Kind.MEETING,
            meeting,
            f"{meeting.get_kind_display()} {meeting.reference}",
            "\n".join(p for p in parts if p),
            at=meeting.scheduled_at,
            agency=meeting.lead_agency,
        )

    referrals = Referral.objects.filter(case=case).select_related("from_agency", "to_agency")
    for referral in referrals.order_by("sent_at"):
        yield item(
            Kind.REFERRAL,
            referral,
            f"Referral {referral.reference} to {referral.to_agency.name}",
            _lines(
                ("From", referral.from_agency.name),
                ("Reason", referral.reason),
                ("Asked of the receiving agency", referral.request),
                ("Urgency", referral.get_urgency_display()),
                ("Status", referral.get_status_display()),
                ("Reason for declining", referral.decline_reason),
                ("Reason for withdrawing", referral.withdrawn_reason),
            ),
            at=referral.sent_at,
            agency=referral.from_agency,
        )

    views = AuditEvent.objects.filter(case_id=case.pk, action__in=VIEW_ACTIONS).order_by("-at")
    total = views.count()
    rows = views.values_list("at", "username", "agency_slugs", "action")[:ACCESS_LOG_LIMIT]
    lines = [
        f"{_moment(at)}: {username or 'unknown'} ({agencies or 'no agency'}), {action}"
        for at, username, agencies, action in rows
    ]
    if total > ACCESS_LOG_LIMIT:
        lines.append(f"... and {total - ACCESS_LOG_LIMIT} earlier views, kept in the audit log")
    yield item(
        Kind.ACCESS_LOG, case, f"Who has viewed {ref}", "\n".join(lines) or "No views recorded."
    )


def _cases_of(children: list[Child]) -> list[Case]:
    return list(
        Case.objects.filter(child__in=children)
        .select_related("lead_agency", "allocated_worker", "team", "child")
        .order_by("opened_at")
    )


def gather_for_child(child: Child) -> Gathering:
    cases = _cases_of([child])
    items = [identity_item(child), household_item(child)]
    for case in cases:
        items.extend(case_items(case))
    # Concerns about the child not (or not yet) linked to a case are held too.
    items.extend(concern_items(Concern.objects.filter(child=child, case__isnull=True)))
    return Gathering(items, cases)


def mentions(name: str) -> re.Pattern[str]:
    """A whole-word match of the person's full name or first name."""
    words = name.split()
    choices = [re.escape(" ".join(words))] + ([re.escape(words[0])] if len(words) > 1 else [])
    return re.compile(r"\b(?:" + "|".join(choices) + r")\b", re.IGNORECASE)


def gather_for_household_member(member: HouseholdMember) -> Gathering:
    """The adult's own household entries (on this child and on any sibling who
    records the same name), and every item on those children's cases that names them."""
    sibling_ids = set(
        member.child.household.filter(sibling__isnull=False).values_list("sibling_id", flat=True)
    )
    entries = list(
        HouseholdMember.objects.filter(
            Q(child=member.child) | Q(child_id__in=sibling_ids),
            name__iexact=member.name,
        ).select_related("child")
    )
    children = sorted({e.child for e in entries}, key=lambda c: c.reference)
    items = [
        Gathered(
            Kind.HOUSEHOLD,
            "householdmember",
            str(e.pk),
            f"Recorded in the household of {e.child.full_name}",
            household_text(e),
        )
        for e in entries
    ]
    pattern = mentions(member.name)
    cases = _cases_of(children)
    for case in cases:
        items.extend(
            gathered
            for gathered in case_items(case)
            if gathered.kind != Kind.ACCESS_LOG
            and (pattern.search(gathered.text) or pattern.search(gathered.title))
        )
    return Gathering(items, cases)


def gather(sar: SubjectAccessRequest) -> Gathering:
    if sar.subject_kind == SubjectAccessRequest.SubjectKind.HOUSEHOLD_MEMBER:
        return gather_for_household_member(sar.household_member)
    return gather_for_child(sar.child)
