"""Reads of children, always for an acting user."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
)
from django.http import Http404
from django.utils import timezone

from agencies.models import Agency
from agencies.roles import TRIAGE_ROLES
from agencies.selectors import agencies_where
from cases.access import VIEW, VIEW_LEAD
from cases.matching import (
    hidden_restricted_cases,
    only_hidden_restricted,
    without_hidden_restricted,
)
from cases.models import Assessment, Case, CaseProfessional, Child, Involvement
from cases.selectors.cases import (
    RoleValues,
    User,
    _break_glass_case_ids,
    _group_ids,
    case_list_for,
    cases_for,
    current_reasons_prefetch,
    ids_with_permission,
    permission_ids,
    role_values,
)
from safeguard.audit.services import audit_record
from safeguard.core.compiled import compiled_rows
from safeguard.core.lookups import one_of


def children_at_front_door(user: User, lead_agency: Agency) -> QuerySet[Child]:
    """The lead agency's children, for the people who work its front door, less
    the children of restricted cases they are not named on."""
    if not agencies_where(user, roles=TRIAGE_ROLES).filter(pk=lead_agency.pk).exists():
        return Child.objects.none()
    return without_hidden_restricted(
        Child.objects.filter(lead_agency=lead_agency, merged_into__isnull=True),
        user=user,
        group_ids=_group_ids(user),
    )


def restricted_children_at_front_door(user: User, lead_agency: Agency) -> QuerySet[Child]:
    """Children of restricted cases hidden from this user: the matcher may say
    that one matches, never who."""
    if not agencies_where(user, roles=TRIAGE_ROLES).filter(pk=lead_agency.pk).exists():
        return Child.objects.none()
    return only_hidden_restricted(
        Child.objects.filter(lead_agency=lead_agency), user=user, group_ids=_group_ids(user)
    )


def children_for(user: User) -> QuerySet[Child]:
    """Children with a case the user may see, plus, for people who work a front
    door (a social worker or manager in a social care agency), every child that
    authority holds: they must find children to triage.

    A child whose case is restricted is seen only by those who see the case:
    the front-door rule does not reach them (SPEC 2, restricted cases).
    """
    if not user.is_authenticated or not user.is_active:
        return Child.objects.none()
    return visible_children(**children_rule_values(user))


def children_rule_values(user: User, now: dt.datetime | None = None) -> dict[str, Any]:
    """What ``visible_children`` is given for ``user`` (signed in and active):
    their role groups, the view permission and the front doors they work, read
    here as values (one statement on PostgreSQL), so that the rule's
    statement is the same for everyone and can be compiled once (search,
    safeguard.core.compiled), with nothing in it for PostgreSQL to plan but
    the probes (``RoleValues``)."""
    if connection.vendor == "postgresql":
        groups, permission, doors = compiled_rows(
            ("children_rule",), rule_values_statement, person=user
        )[0]
    else:
        given = role_values(user)
        groups, permission = given.groups, given.permission
        doors = _doors(user).values_list("pk", flat=True)
    return {
        "person": user,
        "now": now or timezone.now(),
        "groups": list(groups),
        "permission": list(permission),
        "doors": list(doors),
    }


def _doors(person: User) -> QuerySet[Agency]:
    return agencies_where(person, roles=TRIAGE_ROLES, kind="social_care")


def rule_values_statement(person: User) -> tuple[str, list]:
    """The statement ``children_rule_values`` reads on PostgreSQL: a row of
    three arrays (groups, permission, front doors)."""
    # No ordering: an ordered DISTINCT selects its ordering too (not one column).
    parts = [
        qs.order_by().query.sql_with_params()
        for qs in (_group_ids(person), permission_ids(VIEW), _doors(person).values("pk"))
    ]
    sql = "SELECT " + ", ".join(f"ARRAY({part})" for part, _ in parts)
    return sql, [param for _, params in parts for param in params]


def visible_children(
    person: User, now: dt.datetime, groups: list[int], permission: list[int], doors: list
) -> QuerySet[Child]:
    """``children_for``'s rule, given its values (``children_rule_values``)."""
    given = RoleValues(groups=groups, permission=permission)
    # Subqueries rather than a join across cases: no duplicate rows, no DISTINCT.
    # A probe per child (EXISTS on the child's cases), never ``IN`` the user's
    # visible cases: that hashed every case a school sees the hard way, walking
    # a million of them (7.5 s for one search at county scale, bench/RESULTS.md).
    hidden = hidden_restricted_cases(user=person, group_ids=groups, permission=permission, now=now)
    return Child.objects.filter(
        Q(Exists(cases_for(person, now=now, given=given).filter(child=OuterRef("pk"))))
        | (
            one_of(doors, "lead_agency__pk")
            & Q(merged_into__isnull=True)
            # As at triage: NOT EXISTS from the restricted records, never an
            # anti-join of everything the user sees (63 s at a million cases).
            & ~Exists(hidden)
        )
    ).select_related("lead_agency")


def get_child_for(user: User, child_id: uuid.UUID | str, *, audit: bool = True) -> Child:
    try:
        child = children_for(user).filter(pk=child_id).first()
    except (ValidationError, ValueError):  # not a UUID: no such child
        child = None
    if child is None:
        raise Http404("No such child")
    if audit:
        # Recorded against each case of the child's the reader can see, so the
        # read shows in that case's "who has viewed this record".
        case_ids = list(cases_for(user).filter(child=child).values_list("pk", flat=True))
        for case_id in case_ids or [None]:
            audit_record(user=user, action="view", event="child_viewed", obj=child, case_id=case_id)
    return child


def with_lead_access(cases: QuerySet[Case], user: User, *, now: Any = None) -> QuerySet[Case]:
    """Each case carrying ``lead_access``: whether the user sees it at the lead
    agency's level. Asked in the page's own query, not one more for the page."""
    if not user.is_authenticated or not user.is_active:
        return cases.annotate(lead_access=Value(False, output_field=BooleanField()))
    lead = ids_with_permission(user, VIEW_LEAD) | _break_glass_case_ids(user, now=now)
    return cases.annotate(lead_access=ExpressionWrapper(lead, output_field=BooleanField()))


def case_list_with_involvements_for(user: User) -> QuerySet[Case]:
    """``case_list_for`` with each case's active involvements (and their
    agencies) fetched for the whole page at once, as ``active_involvements``."""
    cases = case_list_for(user).prefetch_related(*involvements_prefetched())
    return cases.order_by("-updated_at", "id")


def involvements_prefetched(*, assessments: bool = True) -> list:
    """What the API shows of each case beside its own columns, each read once
    for a page of cases: the active involvements (with their agencies and
    current reasons), the named professionals, and (``assessments``) the
    assessments."""
    active = (
        Involvement.objects.filter(ended_at__isnull=True)
        .select_related("agency")
        .prefetch_related(current_reasons_prefetch())
        .order_by(*INVOLVEMENT_ORDER)
    )
    people = (
        CaseProfessional.objects.filter(ended_at__isnull=True)
        .select_related("agency", "user")
        .order_by(*PROFESSIONAL_ORDER)
    )
    lead_only = Assessment.objects.order_by(*ASSESSMENT_ORDER)
    return [
        Prefetch("involvements", queryset=active, to_attr="active_involvements"),
        Prefetch("professionals", queryset=people, to_attr="active_professionals"),
        # Serialized for the lead agency's cases only; one query for the page.
        *([Prefetch("assessments", queryset=lead_only)] if assessments else []),
    ]


# Each list in one order whatever reads it (a prefetch, or the page's own
# statement: ``carried``), the id breaking ties (a case's lead and first
# involved agency start at the same instant).
INVOLVEMENT_ORDER = ("started_at", "id")
PROFESSIONAL_ORDER = ("agency__name", "name", "id")
ASSESSMENT_ORDER = ("-started_on", "id")
