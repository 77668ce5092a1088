"""Every read of case data, always for an acting user.

Views, the API and tasks never touch ``Case.objects`` or ``Concern.objects``
directly: they ask here, so permission scoping cannot be forgotten. Anything a
user may not see is indistinguishable from something that does not exist
(``Http404``). Scoping is written over guardian's direct-FK tables rather than
through ``get_objects_for_user``, which measured ~50x slower on big tables
(ARCHITECTURE.md), and never accepts global permissions.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet
from django.http import Http404

from agencies.models import Agency
from agencies.roles import TRIAGE_ROLES
from agencies.selectors import agencies_where
from safeguard.audit.services import audit_record

from .access import VIEW, VIEW_LEAD
from .models import (
    Case,
    CaseGroupObjectPermission,
    CaseUserObjectPermission,
    Child,
    ChronologyEntry,
    Concern,
    ConcernGroupObjectPermission,
    ConcernUserObjectPermission,
    Involvement,
)

User = AbstractBaseUser | AnonymousUser


def _group_ids(user: AbstractBaseUser) -> QuerySet:
    # Role groups follow active memberships (agencies.services); a suspended
    # agency's groups carry no access at all.
    return user.groups.filter(agency_role__agency__is_active=True).values("pk")


def _case_ids_with(user: AbstractBaseUser, codename: str) -> Q:
    by_group = CaseGroupObjectPermission.objects.filter(
        group__in=_group_ids(user),
        permission__codename=codename,
        permission__content_type__app_label="cases",
    ).values("content_object_id")
    by_user = CaseUserObjectPermission.objects.filter(
        user=user,
        permission__codename=codename,
        permission__content_type__app_label="cases",
    ).values("content_object_id")
    return Q(id__in=by_group) | Q(id__in=by_user)


def cases_for(user: User) -> QuerySet[Case]:
    if not user.is_authenticated or not user.is_active:
        return Case.objects.none()
    return Case.objects.filter(_case_ids_with(user, VIEW))


def case_list_for(user: User) -> QuerySet[Case]:
    return (
        cases_for(user)
        .select_related("child", "lead_agency", "allocated_worker")
        .order_by("-updated_at")
    )


def get_case_for(user: User, case_id: uuid.UUID | str, *, audit: bool = True) -> Case:
    case = case_list_for(user).filter(pk=case_id).first()
    if case is None:
        raise Http404("No such case")
    if audit:
        audit_record(user=user, action="view", event="case_viewed", obj=case, case_id=case.pk)
    return case


def has_lead_access(user: User, case: Case) -> bool:
    return cases_for(user).filter(pk=case.pk).filter(_case_ids_with(user, VIEW_LEAD)).exists()


def chronology_for(
    user: User, case: Case, *, lead: bool | None = None
) -> QuerySet[ChronologyEntry]:
    """The case's chronology at the user's level: involved agencies see shared entries only."""
    if lead is None:
        lead = has_lead_access(user, case)
    qs = ChronologyEntry.objects.filter(case=case).select_related("agency", "created_by")
    if not lead:
        qs = qs.filter(visibility=ChronologyEntry.Visibility.SHARED)
    return qs.order_by("-occurred_at", "-created_at")


def involvements_for(user: User, case: Case) -> QuerySet[Involvement]:
    return case.involvements.filter(ended_at__isnull=True).select_related("agency")


def case_detail_for(user: User, case_id: uuid.UUID | str) -> dict[str, Any]:
    """Everything the case page shows, in a fixed number of queries."""
    case = get_case_for(user, case_id)
    lead = has_lead_access(user, case)
    concerns = Concern.objects.filter(case=case).select_related("reporting_agency")
    if not lead:
        concerns = concerns.filter(reporting_agency__in=agencies_where(user, roles=_ALL_ROLES))
    return {
        "case": case,
        "lead_access": lead,
        "chronology": list(chronology_for(user, case, lead=lead)),
        "involvements": list(involvements_for(user, case)),
        "concerns": list(concerns.order_by("-submitted_at")),
    }


_ALL_ROLES = ("practitioner", "social_worker", "manager", "chair")


# Concerns ---------------------------------------------------------------


def _concern_ids_with(user: AbstractBaseUser, codename: str = "view_concern") -> Q:
    by_group = ConcernGroupObjectPermission.objects.filter(
        group__in=_group_ids(user),
        permission__codename=codename,
        permission__content_type__app_label="cases",
    ).values("content_object_id")
    by_user = ConcernUserObjectPermission.objects.filter(
        user=user,
        permission__codename=codename,
        permission__content_type__app_label="cases",
    ).values("content_object_id")
    return Q(id__in=by_group) | Q(id__in=by_user)


def concerns_for(user: User) -> QuerySet[Concern]:
    """Submitted concerns the user may see, and the user's own drafts."""
    if not user.is_authenticated or not user.is_active:
        return Concern.objects.none()
    return Concern.objects.filter(
        Q(status=Concern.Status.DRAFT, reported_by=user)
        | (~Q(status=Concern.Status.DRAFT) & _concern_ids_with(user))
    ).select_related(
        "reporting_agency",
        "lead_agency",
        "reported_by",
        "child",
        "case",
        "decided_by",
        "authorised_by",
    )


def get_concern_for(user: User, concern_id: uuid.UUID | str, *, audit: bool = True) -> Concern:
    concern = concerns_for(user).filter(pk=concern_id).first()
    if concern is None:
        raise Http404("No such concern")
    if audit and concern.status != Concern.Status.DRAFT:
        audit_record(
            user=user, action="view", event="concern_viewed", obj=concern, case_id=concern.case_id
        )
    return concern


def my_concerns_for(user: User) -> QuerySet[Concern]:
    return concerns_for(user).filter(reported_by=user).order_by("-created_at")


def children_at_front_door(user: User, lead_agency: Agency) -> QuerySet[Child]:
    """The lead agency's children, for the people who work its front door."""
    if not agencies_where(user, roles=TRIAGE_ROLES).filter(pk=lead_agency.pk).exists():
        return Child.objects.none()
    return Child.objects.filter(lead_agency=lead_agency)


def children_for(user: User) -> QuerySet[Child]:
    """Children with a case the user may see, plus, for people who work a front
    door, every child that authority holds (they must find children to triage)."""
    if not user.is_authenticated or not user.is_active:
        return Child.objects.none()
    doors = agencies_where(user, roles=TRIAGE_ROLES, kind="social_care")
    return Child.objects.filter(Q(cases__in=cases_for(user)) | Q(lead_agency__in=doors)).distinct()


def can_triage(user: User, concern: Concern) -> bool:
    return agencies_where(user, roles=TRIAGE_ROLES).filter(pk=concern.lead_agency_id).exists()


def can_authorise(user: User, concern: Concern) -> bool:
    return agencies_where(user, roles=["manager"]).filter(pk=concern.lead_agency_id).exists()


def front_door_queue_for(user: User) -> QuerySet[Concern]:
    """Concerns waiting at the front doors the user works, highest risk and oldest first."""
    if not user.is_authenticated:
        return Concern.objects.none()
    doors = agencies_where(user, roles=TRIAGE_ROLES, kind="social_care")
    return (
        concerns_for(user)
        .filter(
            lead_agency__in=doors,
            status__in=[Concern.Status.SUBMITTED, Concern.Status.AWAITING_AUTHORISATION],
        )
        .order_by("-immediate_risk", "submitted_at")
    )
