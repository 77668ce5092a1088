"""Reads of the case record: notes, documents, actions, professionals, household,
allocation (the case page reads them through ``cases.selectors.case_page``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q, QuerySet
from django.http import Http404

from agencies.models import Agency, Team
from agencies.roles import CASE_WORKING_ROLES, LEAD_AGENCY_ROLES
from agencies.selectors import agencies_where, members_with_roles
from cases.concurrency import person
from cases.models import (
    Case,
    CaseAction,
    CaseDocument,
    CaseNote,
    CaseProfessional,
    Child,
)
from cases.selectors.cases import (
    active_break_glass,
    cases_for,
    get_case_for,
    has_lead_access,
)
from safeguard.audit.services import audit_record


def note_agencies_for(user: AbstractBaseUser, case: Case) -> QuerySet[Agency]:
    """The user's agencies that take part in the case, in whose name they may write."""
    return (
        agencies_where(user, roles=CASE_WORKING_ROLES)
        .filter(involvements__case=case, involvements__ended_at__isnull=True)
        .distinct()
    )


def readable_by(user: AbstractBaseUser, *, lead: bool) -> Q:
    """Which notes and documents (by their sensitivity) the user may read."""
    mine = agencies_where(user, roles=CASE_WORKING_ROLES).values("pk")
    visible = Q(sensitivity=CaseNote.Sensitivity.SHARED) | Q(
        sensitivity=CaseNote.Sensitivity.INTERNAL, agency__in=mine
    )
    if lead:
        visible |= Q(sensitivity=CaseNote.Sensitivity.RESTRICTED)
    return visible


def notes_for(user: AbstractBaseUser, case: Case, *, lead: bool) -> QuerySet[CaseNote]:
    """The case's notes the user may read; ``case`` already came from a selector."""
    return case.notes.filter(readable_by(user, lead=lead)).select_related("agency", "author")


def documents_for(user: AbstractBaseUser, case: Case, *, lead: bool) -> QuerySet[CaseDocument]:
    return case.documents.filter(readable_by(user, lead=lead)).select_related(
        "agency", "uploaded_by"
    )


def get_document_for(user: AbstractBaseUser, case_id, document_id) -> CaseDocument:
    """A document the user may read, fetched to hand over its file: the one way
    a document's content leaves the system, so the read is audited here, on the
    case, whatever path asked for it (the view only streams the file)."""
    case = get_case_for(user, case_id, audit=False)
    lead = has_lead_access(user, case)
    document = documents_for(user, case, lead=lead).filter(pk=document_id).first()
    if document is None:
        raise Http404("No such document")
    audit_record(
        user=user,
        action="download",
        event="document_downloaded",
        obj=document,
        case_id=case.pk,
        detail={"sha256": document.sha256},
    )
    return document


def professionals_for(case: Case) -> QuerySet[CaseProfessional]:
    """Current professionals. Callers have resolved the case through a selector:
    anyone who sees the case sees its contacts."""
    return case.professionals.filter(ended_at__isnull=True).select_related("agency", "user")


def action_owner_candidates(agencies: QuerySet[Agency]) -> QuerySet:
    """Who may own an action, or be linked as a named professional: the active
    case-working staff of ``agencies`` (the agencies on the case, or on the
    cases a meeting is about). One list for the case page, the meeting record
    and the professionals form, so they cannot drift apart."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__agency__in=agencies,
            memberships__is_active=True,
            memberships__role__in=list(CASE_WORKING_ROLES),
        )
        .distinct()
        .order_by("username")
        # What a choice shows (``label_from_instance``): a case page offers
        # the list twice, some 200 people each at a county's scale, and the
        # rest of a user's row (the password hash, two times) is never read.
        .only("pk", "username", "first_name", "last_name")
    )


def action_list_read(user: AbstractBaseUser, case: Case, rows: Iterable[CaseAction]) -> None:
    """Record that ``user`` read a page of the case's actions as a list of their
    own (the API's ``cases/{id}/actions/``): audited on the case, so the read
    shows in its "who has viewed this record". The case page's actions are part
    of its ``case_viewed``."""
    audit_record(
        user=user,
        action="list",
        event="case_actions_listed",
        obj=case,
        case_id=case.pk,
        detail={"actions": [str(a.pk) for a in rows]},
    )


def case_list_read(user: AbstractBaseUser, case: Case, *, event: str, rows) -> None:
    """Record that ``user`` read ``rows`` of the case as a list of their own (the
    API's nested lists: notes, documents, household, professionals): one row on
    the case naming what was shown, so it appears in "who has viewed this
    record". The case page's parts are read under its ``case_viewed``. Read
    through break-glass, the row carries its reason, as every such read does."""
    glass = active_break_glass(user, case) if case.is_restricted else None
    audit_record(
        user=user,
        action="list",
        event=event,
        obj=case,
        case_id=case.pk,
        reason=glass.reason if glass else "",
        detail={"ids": [str(r.pk) for r in rows]},
    )


def actions_for(user: AbstractBaseUser, case: Case, *, lead: bool) -> QuerySet[CaseAction]:
    qs = case.actions.select_related("agency", "owner")
    if lead:
        return qs
    return qs.filter(agency__in=agencies_where(user, roles=CASE_WORKING_ROLES))


def action_agencies(case: Case) -> QuerySet[Agency]:
    return Agency.objects.filter(
        involvements__case=case, involvements__ended_at__isnull=True
    ).distinct()


def agencies_to_add(case: Case) -> QuerySet[Agency]:
    """The active agencies not (or no longer) involved in the case."""
    involved = case.involvements.filter(ended_at__isnull=True).values("agency_id")
    return Agency.objects.filter(is_active=True).exclude(pk__in=involved).order_by("name")


def allocatable_workers(case: Case) -> QuerySet:
    return workers_to_allocate(case.lead_agency)


def workers_to_allocate(agency: Agency) -> QuerySet:
    """The agency's social workers and managers: whom a case it leads is allocated to."""
    return members_with_roles(agency, LEAD_AGENCY_ROLES).order_by("last_name", "username")


def allocatable_teams(case: Case) -> QuerySet[Team]:
    return teams_to_allocate(case.lead_agency)


def teams_to_allocate(agency: Agency) -> QuerySet[Team]:
    return Team.objects.filter(agency=agency).select_related("manager")


def allocation_text(case: Case) -> str:
    """Who the case is allocated to, as a person reads it."""
    if case.allocated_worker is None:
        return "not allocated"
    text = person(case.allocated_worker)
    return f"{text}, {case.team.name}" if case.team else text


def household_for(case: Case):
    """The case's child's household; ``case`` came from a selector."""
    return case.child.household.select_related("sibling")


def linked_sibling_cases(user: AbstractBaseUser, case: Case) -> QuerySet[Case]:
    """Open cases of siblings on record that this user may see."""
    return sibling_cases_of(user, case.child)


def sibling_cases_of(user: AbstractBaseUser, child: Child, *, now: Any = None) -> QuerySet[Case]:
    """Open cases of the child's siblings on record that this user sees (at
    ``now``: the time the access rule is asked at)."""
    siblings = child.household.filter(sibling__isnull=False).values("sibling_id")
    return (
        cases_for(user, now=now)
        .filter(child_id__in=siblings, status=Case.Status.OPEN)
        .select_related("child")
    )
