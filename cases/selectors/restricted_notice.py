"""The restricted records a person is told exist: cases they would see but
for a restriction (an active involvement of one of their agencies at a level
their role reaches, and no access of their own). The case list tells of them
on its first page, and their case page says whom to ask instead of 404."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.db.models import BooleanField, Exists, OuterRef, Q, QuerySet, Value, When
from django.db.models import Case as CaseWhen
from django.db.models.expressions import RawSQL
from django.utils import timezone

from agencies.models import Membership
from agencies.roles import CASE_WORKING_ROLES, LEAD_AGENCY_ROLES
from cases.models import Case, Involvement
from cases.selectors.cases import User, _as_uuid, case_visible_to
from safeguard.core.compiled import compiled


def restricted_cases_noticed_by(user: User) -> QuerySet[Case]:
    """Restricted cases the user would see but for the restriction: they are told
    a restricted record exists, and nothing else.

    Bounded by the restricted cases, which are few (a partial index holds only
    them): each is probed for an active involvement of the user's agencies and
    for the user's own access, never the whole visible set. The ids come from a
    statement compiled once per process (safeguard.core.compiled); what is
    built on them here is cheap to compile."""
    if not user.is_authenticated or not user.is_active:
        return Case.objects.none()
    sql, params = compiled(
        "restricted_cases_noticed_by", _noticed_ids, person=user, now=timezone.now()
    )
    # The ORM's own SQL with its parameters bound, not text from anyone.
    ids = RawSQL(sql, params)  # noqa: S611
    # is_restricted again, so the planner starts from the partial index of
    # restricted cases: without it, it walked a million cases in reference
    # order looking for the few ids (0.7 to 2 s at a county's scale).
    return (
        Case.objects.filter(is_restricted=True, pk__in=ids)
        .select_related("lead_agency")
        .order_by("reference")
    )


@dataclass(frozen=True)
class NoticedCase:
    """What the case list's notice shows of a restricted case: that it exists."""

    pk: uuid.UUID
    reference: str
    lead_agency_name: str


NOTICE_LIMIT = 50


def restricted_notice_for(user: User) -> list[NoticedCase]:
    """The first ``NOTICE_LIMIT`` of ``restricted_cases_noticed_by`` in
    reference order, for the case list's first page: one statement, compiled
    once per process, that stops at the limit."""
    if not user.is_authenticated or not user.is_active:
        return []
    sql, params = compiled("restricted_notice_for", _notice, person=user, now=timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [NoticedCase(_as_uuid(pk), ref, name) for pk, ref, name in cursor.fetchall()]


def _would_see_but_for_restriction(person: AbstractBaseUser, now: Any) -> CaseWhen:
    """A restricted case's test: an active involvement of one of the person's
    agencies at a level their role there reaches, and no access of their own.

    A CASE, not two ANDed conditions, because a CASE fixes the order: the
    involvement (an index-only probe) first, and the access rule (a probe of
    each grant table) only for the few cases that pass it. Given the two
    ANDed, PostgreSQL ran the access probe on every restricted case first:
    10 to 14 ms a first page at a county's scale, for a school that is
    involved in two of them."""
    memberships = Membership.objects.filter(user=person, is_active=True, agency__is_active=True)
    lead = memberships.filter(role__in=list(LEAD_AGENCY_ROLES)).values("agency_id")
    involved = memberships.filter(role__in=list(CASE_WORKING_ROLES)).values("agency_id")
    would_see = Involvement.objects.filter(case=OuterRef("pk"), ended_at__isnull=True).filter(
        Q(level=Involvement.Level.LEAD, agency_id__in=lead)
        | Q(level=Involvement.Level.INVOLVED, agency_id__in=involved)
    )
    sees_it = case_visible_to(person, now=now)
    return CaseWhen(
        When(
            Exists(would_see),
            then=CaseWhen(When(sees_it, then=Value(False)), default=Value(True)),
        ),
        default=Value(False),
        output_field=BooleanField(),
    )


def _noticed_ids(person: AbstractBaseUser, now: Any) -> QuerySet:
    return (
        Case.objects.filter(is_restricted=True)
        .filter(_would_see_but_for_restriction(person, now))
        .order_by()
        .values("pk")
    )


def _notice(person: AbstractBaseUser, now: Any) -> QuerySet:
    return (
        Case.objects.filter(is_restricted=True)
        .filter(_would_see_but_for_restriction(person, now))
        .order_by("reference")
        .values_list("pk", "reference", "lead_agency__name")[:NOTICE_LIMIT]
    )
