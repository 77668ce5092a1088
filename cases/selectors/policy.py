"""May this user do X to this case or concern? The predicates that views,
the API and services all ask, so a page and a service cannot disagree."""

from __future__ import annotations

import datetime as dt
import uuid

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet, Value
from django.utils import timezone

from agencies.roles import LEAD_AGENCY_ROLES, TRIAGE_ROLES, Role
from agencies.selectors import agencies_where, holds_role_in
from cases.models import Case, Child, Concern
from cases.selectors.cases import User, cases_for, has_lead_access
from cases.selectors.restricted_notice import restricted_cases_noticed_by
from safeguard.core.compiled import compiled_rows


def may_see_concern_case(user: User, concern: Concern) -> bool:
    """False when the concern is linked to a restricted case the user may not
    see: then the concern is as closed to them as the case (``cases_for``)."""
    if not concern.case_id or not concern.case.is_restricted:
        return True
    return cases_for(user).filter(pk=concern.case_id).exists()


def can_triage(user: User, concern: Concern) -> bool:
    return agencies_where(user, roles=TRIAGE_ROLES).filter(
        pk=concern.lead_agency_id
    ).exists() and may_see_concern_case(user, concern)


def can_authorise(user: User, concern: Concern) -> bool:
    return holds_role_in(user, [Role.MANAGER], concern.lead_agency_id)


def is_lead_worker(user: AbstractBaseUser, case: Case) -> bool:
    """A social worker or manager of the lead agency who sees the case as the lead does."""
    return holds_role_in(user, LEAD_AGENCY_ROLES, case.lead_agency_id) and has_lead_access(
        user, case
    )


def is_lead_manager(user: AbstractBaseUser, case: Case) -> bool:
    """A manager of the lead agency who sees the case as the lead does."""
    return holds_role_in(user, [Role.MANAGER], case.lead_agency_id) and has_lead_access(user, case)


def can_manage_professionals(user: AbstractBaseUser, case: Case) -> bool:
    """The lead agency's social workers and managers, as for involvements."""
    return is_lead_worker(user, case)


def can_manage_involvement(user: AbstractBaseUser, case: Case) -> bool:
    """The lead agency's social workers and managers add and end involvements."""
    return is_lead_worker(user, case)


def can_allocate(user: AbstractBaseUser, case: Case) -> bool:
    return is_lead_manager(user, case)


def can_restrict(user: AbstractBaseUser, case: Case) -> bool:
    """Managers of the lead agency who can see the case."""
    return holds_role_in(user, [Role.MANAGER], case.lead_agency_id) and _sees(user, case)


def _sees(user: AbstractBaseUser, case: Case) -> bool:
    """Whether ``cases_for(user)`` holds the case now. Asked by every case page
    a manager opens: the access rule's statement is compiled once per process
    (safeguard.core.compiled), its building was 4 ms of each."""
    if not user.is_authenticated or not user.is_active:
        return False
    found = compiled_rows(
        ("policy_sees_case",), _seen, person=user, now=timezone.now(), case=case.pk
    )
    return bool(found)


def _seen(person: AbstractBaseUser, now: dt.datetime, case: uuid.UUID) -> QuerySet:
    return cases_for(person, now=now).filter(pk=case).order_by().values_list(Value(1))[:1]


def can_break_glass(user: AbstractBaseUser, case: Case) -> bool:
    """Managers told that this restricted record exists."""
    return (
        case.is_restricted
        and agencies_where(user, roles=[Role.MANAGER]).exists()
        and restricted_cases_noticed_by(user).filter(pk=case.pk).exists()
        and agencies_where(user, roles=[Role.MANAGER])
        .filter(involvements__case=case, involvements__ended_at__isnull=True)
        .exists()
    )


def can_edit_child(user: AbstractBaseUser, child: Child) -> bool:
    lead_case = any(has_lead_access(user, case) for case in cases_for(user).filter(child=child))
    return lead_case


def can_add_marks(user: AbstractBaseUser, concern: Concern) -> bool:
    return concern.status != Concern.Status.DRAFT and (
        concern.reported_by_id == user.pk or can_triage(user, concern)
    )
