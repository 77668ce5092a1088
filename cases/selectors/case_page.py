"""The case page's reads, each statement compiled once per process.

The case page asks some thirty statements of a case on every request: its
record, the agencies on it and their staff, the next steps. At a county's
scale the ORM building and compiling them was about a third of the page's
Python time, against a fraction of a millisecond of PostgreSQL each. Each is
built here by the selector that holds its rule (``notes_for``,
``actions_for``...), compiled once per process and bound to the person and
the case of each call (safeguard.core.compiled); a rule that differs with
the person's level of access (``lead``) is a statement of its own.

Rows read this way come without what a related manager would have put on
them (``plan.case``): each is given the case, or the child, it was read
for, so that nothing drawn from them asks again.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any, NamedTuple, TypeVar

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Model, QuerySet
from django.utils import timezone

from agencies.models import Agency, Team
from cases.models import (
    Case,
    CaseAction,
    CaseClosure,
    Child,
    ChildMerge,
    ChronologyEntry,
    Concern,
    Involvement,
    InvolvementReason,
)
from cases.selectors.cases import (
    User,
    case_read_record,
    chronology_for,
    current_reasons_prefetch,
    get_case_for,
    has_lead_access,
    involvements_for,
)
from cases.selectors.concerns import concerns_on_case_for
from cases.selectors.record import (
    action_agencies,
    action_owner_candidates,
    actions_for,
    agencies_to_add,
    documents_for,
    note_agencies_for,
    notes_for,
    professionals_for,
    sibling_cases_of,
    teams_to_allocate,
    workers_to_allocate,
)
from safeguard.audit.context import request_memo
from safeguard.core import keyset
from safeguard.core.compiled import compiled_objects, compiled_rows
from safeguard.core.keyset import KeysetPage, keyset_page

M = TypeVar("M", bound=Model)


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
    plans = _case_rows("plans", _plans, case)
    assessments = _case_rows("assessments", _assessments, case) if lead else []
    _page_reads_put(case, plans=plans, **({"assessments": assessments} if lead else {}))

    return {
        "case": case,
        "lead_access": lead,
        "notes": _of(case, "case", _notes(user, case, lead=lead)),
        "documents": _of(case, "case", _documents(user, case, lead=lead)),
        "household": household_of(case),
        # Identity is shared with every agency on the case (SPEC 2), past addresses too.
        "address_history": _of(
            case.child,
            "child",
            compiled_objects(("case_page", "addresses"), _addresses, child=case.child),
        ),
        "professionals": _case_rows("professionals", professionals_for, case),
        "plans": plans,
        "section47_enquiries": _case_rows("section47", _enquiries, case) if lead else [],
        "episodes": _case_rows("episodes", _episodes, case) if lead else [],
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
        "involvements": _involvements(user, case),
        "concerns": _concerns(user, case, lead=lead),
    }


def _case_rows(name: str, build: Callable[[Case], QuerySet], case: Case) -> list:
    """The rows ``build(case)`` reads (a related manager of the case's), its
    statement compiled once per process, each with the case."""
    return _of(case, "case", compiled_objects(("case_page", name), build, case=case))


def _of(parent: Model, field: str, rows: list[M]) -> list[M]:
    """``rows`` with ``parent`` as their ``field``, as the related manager
    they would otherwise have come from sets it (``case.plans.all()`` puts
    the case on each plan): a template that reaches back asks nothing."""
    for row in rows:
        row._meta.get_field(field).set_cached_value(row, parent)
    return rows


def _plans(case: Case) -> QuerySet:
    return case.plans.all()


def _assessments(case: Case) -> QuerySet:
    return case.assessments.select_related("completed_by", "authorised_by")


def _enquiries(case: Case) -> QuerySet:
    return case.section47_enquiries.select_related("strategy_meeting", "conference")


def _episodes(case: Case) -> QuerySet:
    return case.episodes.all()


def _addresses(child: Child) -> QuerySet:
    return child.address_history.all()


def _notes(user: User, case: Case, *, lead: bool) -> list:
    def build(person: AbstractBaseUser, case: Case) -> QuerySet:
        return notes_for(person, case, lead=lead)

    return compiled_objects(("case_page", "notes", lead), build, person=user, case=case)


def _documents(user: User, case: Case, *, lead: bool) -> list:
    def build(person: AbstractBaseUser, case: Case) -> QuerySet:
        return documents_for(person, case, lead=lead)

    return compiled_objects(("case_page", "documents", lead), build, person=user, case=case)


def household_of(case: Case) -> list:
    """The child's household (``household_for``), each with the child."""
    members = compiled_objects(("case_page", "household"), _household, child=case.child)
    return _of(case.child, "child", members)


def _household(child: Child) -> QuerySet:
    return child.household.select_related("sibling")  # household_for's, from the child


def _involvements(user: User, case: Case) -> list[Involvement]:
    """``involvements_for``'s, each with its ``current_reasons``: two
    statements, as the prefetch made, each compiled once."""

    def build(person: AbstractBaseUser, case: Case) -> QuerySet:
        # The reasons are read below, by a statement compiled once too.
        return involvements_for(person, case).prefetch_related(None)

    involvements = _of(
        case,
        "case",
        compiled_objects(("case_page", "involvements"), build, person=user, case=case),
    )
    if not involvements:
        return involvements
    by_involvement: dict[uuid.UUID, list[InvolvementReason]] = {}
    for reason in compiled_objects(("case_page", "involvement_reasons"), _reasons, case=case):
        by_involvement.setdefault(reason.involvement_id, []).append(reason)
    for involvement in involvements:
        involvement.current_reasons = _of(
            involvement, "involvement", by_involvement.get(involvement.pk, [])
        )
    return involvements


def _reasons(case: Case) -> QuerySet:
    # The current reasons of the case's current involvements: what
    # current_reasons_prefetch reads for the involvements read before.
    return current_reasons_prefetch().queryset.filter(
        involvement__case=case, involvement__ended_at__isnull=True
    )


def _concerns(user: User, case: Case, *, lead: bool) -> list[Concern]:
    def build(person: AbstractBaseUser, case: Case) -> QuerySet:
        concerns = concerns_on_case_for(person, case, lead=lead)
        return concerns.annotate(body_map_marks=Count("body_map")).order_by("-submitted_at")

    found = compiled_objects(("case_page", "concerns", lead), build, person=user, case=case)
    return _of(case, "case", found)


# What the page's forms offer and what it shows beside them ------------------


def agencies_on_case(case: Case) -> list[Agency]:
    """``action_agencies``'s rows: the agencies on the case."""
    return compiled_objects(("case_page", "agencies"), action_agencies, case=case)


def writers_for(user: User, case: Case) -> list[Agency]:
    """``note_agencies_for``'s rows: the user's agencies that write on the case."""
    return compiled_objects(("case_page", "writers"), note_agencies_for, user=user, case=case)


def staff_on_case(case: Case) -> list:
    """``action_owner_candidates``'s rows for the agencies on the case."""
    return compiled_objects(("case_page", "staff"), _staff, case=case)


def _staff(case: Case) -> QuerySet:
    return action_owner_candidates(action_agencies(case))


def agencies_to_add_to(case: Case) -> list[Agency]:
    """``agencies_to_add``'s rows: the active agencies not on the case."""
    return compiled_objects(("case_page", "agencies_to_add"), agencies_to_add, case=case)


def allocation_choices(case: Case) -> tuple[list, list[Team]]:
    """``allocatable_workers``' and ``allocatable_teams``' rows: whom, and
    which team, a manager may allocate the case to."""
    agency = case.lead_agency
    workers = compiled_objects(("case_page", "workers"), _workers, agency=agency)
    teams = compiled_objects(("case_page", "teams"), teams_to_allocate, agency=agency)
    return workers, teams


def _workers(agency: Agency) -> QuerySet:
    # What a choice shows (the form's label_from_instance), as for the staff.
    return workers_to_allocate(agency).only("pk", "username", "first_name", "last_name")


def actions_on(user: User, case: Case, *, lead: bool) -> list[CaseAction]:
    """``actions_for``'s rows."""

    def build(person: AbstractBaseUser, case: Case) -> QuerySet:
        return actions_for(person, case, lead=lead)

    found = compiled_objects(("case_page", "actions", lead), build, person=user, case=case)
    return _of(case, "case", found)


def closure_request_of(case: Case) -> CaseClosure | None:
    """The case's closure request, if any, with who asked (``case.closure_request``,
    remembered on the case, as reading it there would)."""
    found = compiled_objects(("case_page", "closure"), _closure, case=case)
    closure = _of(case, "case", found)[0] if found else None
    Case.closure_request.related.set_cached_value(case, closure)
    return closure


def _closure(case: Case) -> QuerySet:
    return CaseClosure.objects.filter(case=case).select_related("requested_by")[:1]


def merges_into(case: Case) -> list[ChildMerge]:
    """The records merged into the case's child, each with the one merged."""
    found = compiled_objects(("case_page", "merges"), _merges, child=case.child)
    return _of(case.child, "kept", found)


def _merges(child: Child) -> QuerySet:
    return child.merges_kept.select_related("merged")


def sibling_cases_for(user: User, case: Case) -> list[Case]:
    """``linked_sibling_cases``'s rows: the open cases of the child's siblings
    on record that the user sees, now."""

    def build(person: AbstractBaseUser, child: Child, now: dt.datetime) -> QuerySet:
        return sibling_cases_of(person, child, now=now)

    return compiled_objects(
        ("case_page", "sibling_cases"), build, person=user, child=case.child, now=timezone.now()
    )


# What the page read, for the parts of it that would ask again ---------------


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


# The chronology ---------------------------------------------------------------


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
    id: uuid.UUID


# Newest first, as the timeline reads; the id breaks ties, so the order is total.
CHRONOLOGY_ORDER = ("-occurred_at", "-created_at", "-id")
# Entries a page of the case page's chronology shows. A county's long case holds
# a thousand: all on one page was half a megabyte of HTML for a phone to load
# and a screen reader to walk, and the largest part of the page's time
# (bench/RESULTS.md, "The county after session 14"). The filters narrow it and
# the case summary (PDF) prints it whole.
CHRONOLOGY_PAGE = 100
# The filters chronology_for applies, each only when given.
_CHRONOLOGY_FILTERS = ("agency", "kind", "date_from", "date_to")


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
    ``query`` is what the page links carry besides it (the filters).

    One statement for each set of filters given, direction and page edge,
    compiled once per process: the filters' and the edge's values are bound."""
    given = {name: (filters or {}).get(name) for name in _CHRONOLOGY_FILTERS}
    given = {name: value for name, value in given.items() if value}

    def fetch(order: list[str], boundary: list | None, forward: bool, limit: int) -> list:
        edge = {} if boundary is None else dict(zip(_EDGE, boundary, strict=True))

        def build(person: AbstractBaseUser, case: Case, **values: Any) -> QuerySet:
            rows = chronology_for(person, case, lead=lead, filters={n: values[n] for n in given})
            if boundary is not None:
                at = [values[name] for name in _EDGE]
                rows = rows.filter(keyset.after(CHRONOLOGY_ORDER, at, forward=forward))
            return rows.order_by(*order).values_list(*_CHRONOLOGY_COLUMNS)[:limit]

        shape = (lead, tuple(given), boundary is None, forward, tuple(order), limit)
        key = ("case_page", "chronology", *shape)
        values = {**given, **edge}
        rows = compiled_rows(key, build, person=user, case=case, **values)
        return [ChronologyRow._make(row) for row in rows]

    return keyset_page(
        ChronologyEntry.objects.none(),
        CHRONOLOGY_ORDER,
        cursor,
        per_page=CHRONOLOGY_PAGE,
        query=query,
        fetch=fetch,
    )


# The page edge's values, by the names they are bound under (CHRONOLOGY_ORDER's).
_EDGE = ("edge_occurred_at", "edge_created_at", "edge_id")

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
