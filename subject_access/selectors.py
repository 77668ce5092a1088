"""Reads for subject access requests: who may work them, the requests they may
see, and finding the person a request is about.

Only the information governance officers (auditors) of a local authority work
its requests; for everyone else the pages, files and requests do not exist
(404), as SPEC 2 asks of every object.
"""

from __future__ import annotations

import uuid

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet
from django.http import Http404

from agencies.models import Agency
from agencies.roles import INFORMATION_GOVERNANCE_ROLES
from agencies.selectors import agencies_where
from cases.models import Child, HouseholdMember
from safeguard.audit.models import AuditEvent
from subject_access.models import SubjectAccessBundle, SubjectAccessRequest

User = AbstractBaseUser | AnonymousUser

# Relationships of the adults in a household who may be the subject of a request.
ADULT_RELATIONSHIPS = [
    HouseholdMember.Relationship.MOTHER,
    HouseholdMember.Relationship.FATHER,
    HouseholdMember.Relationship.STEP_PARENT,
    HouseholdMember.Relationship.CARER,
    HouseholdMember.Relationship.GRANDPARENT,
    HouseholdMember.Relationship.OTHER_RELATIVE,
    HouseholdMember.Relationship.OTHER_ADULT,
]
SEARCH_LIMIT = 20


def ig_agencies_for(user: User) -> QuerySet[Agency]:
    """The local authorities whose requests ``user`` works: those where they
    hold an information governance role."""
    if not user.is_authenticated:
        return Agency.objects.none()
    return agencies_where(user, INFORMATION_GOVERNANCE_ROLES, kind=Agency.Kind.SOCIAL_CARE).filter(
        is_active=True
    )


def may_work_requests(user: User) -> bool:
    return ig_agencies_for(user).exists()


def get_ig_agency_for(user: User) -> Agency:
    """The (first) authority ``user`` works requests for; 404 for anyone else."""
    agency = ig_agencies_for(user).order_by("name").first()
    if agency is None:
        raise Http404("No such page")
    return agency


def requests_for(user: User) -> QuerySet[SubjectAccessRequest]:
    """Every request of the authorities ``user`` works them for: a request is
    the authority's, so its officers share them."""
    return SubjectAccessRequest.objects.filter(agency__in=ig_agencies_for(user)).select_related(
        "child", "household_member", "agency", "logged_by"
    )


def get_request_for(user: User, request_id: uuid.UUID | str) -> SubjectAccessRequest:
    found = requests_for(user).filter(pk=request_id).first()
    if found is None:
        raise Http404("No such request")
    return found


def request_events(sar: SubjectAccessRequest) -> list[AuditEvent]:
    """The request's own trail from the audit log, for the officer: by the
    indexed object id (the request's, and its bundles', behind their type), never by a scan of the
    log's JSON."""
    bundles = [str(pk) for pk in sar.bundles.values_list("pk", flat=True)]
    about = Q(object_type=SubjectAccessRequest._meta.model_name, object_id=str(sar.pk))
    if bundles:
        about |= Q(object_type=SubjectAccessBundle._meta.model_name, object_id__in=bundles)
    return list(
        AuditEvent.objects.filter(about, event__startswith="subject_access_").order_by("at", "id")[
            :500
        ]
    )


def bundles_for(user: User, sar: SubjectAccessRequest) -> QuerySet[SubjectAccessBundle]:
    """The bundles of a request (which came from ``get_request_for``)."""
    return sar.bundles.select_related("requested_by").order_by("-created_at")


def get_bundle_for(
    user: User, request_id: uuid.UUID | str, bundle_id: uuid.UUID | str
) -> SubjectAccessBundle:
    sar = get_request_for(user, request_id)
    bundle = bundles_for(user, sar).filter(pk=bundle_id).first()
    if bundle is None:
        raise Http404("No such bundle")
    return bundle


# Finding the subject --------------------------------------------------------------


def children_matching(agency: Agency, query: str) -> QuerySet[Child]:
    """The authority's children whose name or reference contains ``query``:
    the officer finds the child the requester names (the caller audits it)."""
    query = " ".join(query.split())
    if len(query) < 2:
        return Child.objects.none()
    condition = Q(reference__iexact=query)
    for word in query.split(" "):
        condition |= Q(first_name__icontains=word) | Q(last_name__icontains=word)
    words = query.split(" ")
    if len(words) > 1:
        condition = Q(reference__iexact=query) | (
            Q(first_name__icontains=words[0]) & Q(last_name__icontains=words[-1])
        )
    return Child.objects.filter(condition, lead_agency=agency, merged_into__isnull=True).order_by(
        "last_name", "first_name", "date_of_birth"
    )[:SEARCH_LIMIT]


def get_child_for(user: User, child_id: uuid.UUID | str) -> Child:
    """A child of an authority ``user`` works requests for; 404 otherwise."""
    child = Child.objects.filter(
        pk=child_id, lead_agency__in=ig_agencies_for(user), merged_into__isnull=True
    ).first()
    if child is None:
        raise Http404("No such child")
    return child


def household_adults(child: Child) -> QuerySet[HouseholdMember]:
    return child.household.filter(relationship__in=ADULT_RELATIONSHIPS).order_by("name")
