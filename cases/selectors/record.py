"""Reads of the case record: notes, documents, actions, professionals, household,
allocation, and the whole case page in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any, NamedTuple

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Q, QuerySet
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
    ChronologyEntry,
)
from cases.selectors.cases import (
    User,
    active_break_glass,
    case_read_record,
    cases_for,
    chronology_for,
    get_case_for,
    has_lead_access,
    involvements_for,
)
from cases.selectors.concerns import concerns_on_case_for
from safeguard.audit.context import request_memo
from safeguard.audit.services import audit_record
from safeguard.core import keyset
from safeguard.core.keyset import KeysetPage, keyset_page


def case_detail_for(
    user: User,
    case_id: uuid.UUID | str,
    *,
    chronology_filters: dict[str, Any] | None = None,
    chronology_cursor: str | None = None,
    chronology_query: dict[str, str] | None = None,
    case: Case | None = None,
) -> dict[str, Any]:
    """Everything the case page shows, in a fixed number of queries.
    ``case``: the case as the caller already read it for ``user`` (through
    ``get_case_for``), so it is not read twice; its reading is audited here.
    The chronology is one page of it (``chronology_rows_for``)."""
    if case is None:
        case = get_case_for(user, case_id)
    else:
        case_read_record(user, case)
    lead = has_lead_access(user, case)
    concerns = concerns_on_case_for(user, case, lead=lead)
    plans = list(case.plans.all())
    assessments = (
        list(case.assessments.select_related("completed_by", "authorised_by")) if lead else []
    )
    _page_reads_put(case, plans=plans, **({"assessments": assessments} if lead else {}))

    return {
        "case": case,
        "lead_access": lead,
        "notes": list(notes_for(user, case, lead=lead)),
        "documents": list(documents_for(user, case, lead=lead)),
        "household": list(case.child.household.select_related("sibling")),
        # Identity is shared with every agency on the case (SPEC 2), past addresses too.
        "address_history": list(case.child.address_history.all()),
        "professionals": list(professionals_for(case)),
        "plans": plans,
        "section47_enquiries": list(
            case.section47_enquiries.select_related("strategy_meeting", "conference")
        )
        if lead
        else [],
        "episodes": list(case.episodes.all()) if lead else [],
        "assessments": assessments,
        "chronology": chronology_rows_for(
            user,
            case,
            lead=lead,
            filters=chronology_filters,
            cursor=chronology_cursor,
            query=chronology_query,
        ),
        "chronology_page_size": CHRONOLOGY_PAGE,
        "involvements": list(involvements_for(user, case)),
        "concerns": list(
            concerns.annotate(body_map_marks=Count("body_map")).order_by("-submitted_at")
        ),
    }


def _page_reads_put(case: Case, **reads: list) -> None:
    memo = request_memo()
    if memo is not None:
        memo.setdefault(("case_page_reads", case.pk), {}).update(reads)


def case_page_read(case: Case, name: str) -> list | None:
    """What the case page read of ``case`` in this request ("plans", every
    plan; "assessments", every assessment, read for the lead agency's view
    only), for the parts of the page that would ask again (the visit clock,
    the next steps); None when it has not read it. Only ``case_detail_for``
    fills it, and it reads afresh each time, last thing before the page is
    drawn: nothing the request changed is older than what is kept."""
    memo = request_memo()
    return None if memo is None else memo.get(("case_page_reads", case.pk), {}).get(name)


class ChronologyRow(NamedTuple):
    """What the case page shows of one chronology entry, and its place in the
    order (``CHRONOLOGY_ORDER``: the last three)."""

    title: str
    body: str
    visibility: str
    source_reference: str
    agency_name: str | None
    occurred_at: dt.datetime
    created_at: dt.datetime
    id: int


# Newest first, as the timeline reads; the id breaks ties, so the order is total.
CHRONOLOGY_ORDER = ("-occurred_at", "-created_at", "-id")
# Entries a page of the case page's chronology shows. A county's long case holds
# a thousand: all on one page was half a megabyte of HTML for a phone to load
# and a screen reader to walk, and the largest part of the page's time
# (bench/RESULTS.md, "The county after session 14"). The filters narrow it and
# the case summary (PDF) prints it whole.
CHRONOLOGY_PAGE = 100


def chronology_rows_for(
    user: User,
    case: Case,
    *,
    lead: bool,
    filters: dict[str, Any] | None = None,
    cursor: str | None = None,
    query: dict[str, str] | None = None,
) -> KeysetPage:
    """A page of the case page's chronology: the entries ``chronology_for``
    lets ``user`` see (its access rule, its filters), newest first, as plain
    rows with the agency's name (model instances, an entry and its agency
    each, cost more than the page's database time). ``cursor`` is the page's
    (``safeguard.core.keyset``; none, or one not ours, is the newest page);
    ``query`` is what the page links carry besides it (the filters)."""
    entries = chronology_for(user, case, lead=lead, filters=filters)

    def fetch(order: list[str], boundary: list | None, forward: bool, limit: int) -> list:
        rows = entries
        if boundary is not None:
            rows = rows.filter(keyset.after(CHRONOLOGY_ORDER, boundary, forward=forward))
        columns = rows.order_by(*order).values_list(*_CHRONOLOGY_COLUMNS)[:limit]
        return [ChronologyRow._make(row) for row in columns]

    return keyset_page(
        ChronologyEntry.objects.none(),
        CHRONOLOGY_ORDER,
        cursor,
        per_page=CHRONOLOGY_PAGE,
        query=query,
        fetch=fetch,
    )


_CHRONOLOGY_COLUMNS = (
    "title",
    "body",
    "visibility",
    "source_reference",
    "agency__name",
    "occurred_at",
    "created_at",
    "id",
)


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


def allocatable_workers(case: Case):
    return members_with_roles(case.lead_agency, LEAD_AGENCY_ROLES).order_by("last_name", "username")


def allocatable_teams(case: Case):
    return Team.objects.filter(agency=case.lead_agency).select_related("manager")


def allocation_text(case: Case) -> str:
    """Who the case is allocated to, as a person reads it."""
    if case.allocated_worker is None:
        return "not allocated"
    text = person(case.allocated_worker)
    return f"{text}, {case.team.name}" if case.team else text


def household_for(case: Case):
    """The case's child's household; ``case`` came from a selector."""
    return case.child.household.select_related("sibling")


def linked_sibling_cases(user: AbstractBaseUser, case: Case):
    """Open cases of siblings on record that this user may see."""
    siblings = case.child.household.filter(sibling__isnull=False).values("sibling_id")
    return (
        cases_for(user)
        .filter(child_id__in=siblings, status=Case.Status.OPEN)
        .select_related("child")
    )
