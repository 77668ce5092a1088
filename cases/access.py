"""Who may see a case, and why: the permission service for case data.

The domain records are the source of truth: an agency's ``Involvement`` (lead
or involved, why, since, until) and the case's allocated worker. The guardian
grants on ``CaseGroupObjectPermission`` / ``CaseUserObjectPermission`` are
derived from them by ``sync_case_grants`` in the same transaction, so the two
never diverge (a test proves it). Grants go to an agency's role groups, never
to its users one by one, so starting or ending an involvement costs
O(roles), and a person's access follows their memberships.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, Permission
from django.utils import timezone

from agencies.roles import CASE_WORKING_ROLES, LEAD_AGENCY_ROLES
from agencies.services import role_group
from cases.models import Case, CaseGroupObjectPermission, CaseUserObjectPermission, Involvement
from safeguard.audit.context import request_memo

VIEW = "view_case"
VIEW_LEAD = "view_case_lead"


def _permission(codename: str) -> Permission:
    """Read once per request: every grant made in one asks for the same two."""
    memo = request_memo()
    key = ("cases_permission", codename)
    if memo is not None and key in memo:
        return memo[key]
    permission = Permission.objects.get(content_type__app_label="cases", codename=codename)
    if memo is not None:
        memo[key] = permission
    return permission


def desired_group_grants(case: Case) -> set[tuple[int, str]]:
    """(group id, permission codename) pairs the case's active involvements call for."""
    wanted: set[tuple[int, str]] = set()
    if case.is_restricted:
        return wanted  # only named people, never whole agencies
    for involvement in case.involvements.filter(ended_at__isnull=True).select_related("agency"):
        if involvement.level == Involvement.Level.LEAD:
            for role in LEAD_AGENCY_ROLES:
                group = role_group(agency=involvement.agency, role=role)
                wanted |= {(group.pk, VIEW), (group.pk, VIEW_LEAD)}
        else:
            for role in CASE_WORKING_ROLES:
                wanted.add((role_group(agency=involvement.agency, role=role).pk, VIEW))
    return wanted


def desired_user_grants(case: Case) -> set[tuple[int, str]]:
    # The allocated worker works the case as the lead agency does; on a
    # restricted case so do the people named on it.
    people = {case.allocated_worker_id} if case.allocated_worker_id else set()
    # People other apps grant (chairs of the case's meetings): each is a
    # deliberate, audited act of the lead agency, restricted case or not.
    for source in _user_grant_sources.values():
        people |= set(source.users(case))
    if case.is_restricted:
        people |= set(case.named_access.values_list("user_id", flat=True))
    return {(pk, codename) for pk in people for codename in (VIEW, VIEW_LEAD)}


def lock_case(case: Case | Any) -> Case:
    """Lock the case's row for the rest of the transaction and return it as now
    committed. Every change that reads a case's state to decide what to write
    (its involvements, its grants, its statutory steps) takes this first, so two
    such changes to one case run one after the other and the second sees what
    the first did. Lock order: a case before any meeting about it, and several
    cases in primary-key order (``lock_cases``), so two changes never wait on
    each other in a cycle."""
    pk = case.pk if isinstance(case, Case) else case
    return Case.objects.select_for_update(of=("self",)).get(pk=pk)


def lock_cases(cases: Iterable[Case | Any]) -> None:
    """Lock several cases' rows, in primary-key order (see ``lock_case``)."""
    pks = sorted({c.pk if isinstance(c, Case) else c for c in cases})
    if pks:
        list(
            Case.objects.select_for_update(of=("self",))
            .filter(pk__in=pks)
            .order_by("pk")
            .values_list("pk", flat=True)
        )


def sync_case_grants(case: Case) -> None:
    """Make the guardian grants match the domain records exactly.

    Under the case's lock: the wanted set is read from what is committed now, and
    no other change to the case can add or remove a grant until this one commits.
    """
    case = lock_case(case)
    perms = {p.codename: p for p in (_permission(VIEW), _permission(VIEW_LEAD))}
    _sync(
        CaseGroupObjectPermission,
        "group_id",
        case,
        desired_group_grants(case),
        perms,
    )
    _sync(CaseUserObjectPermission, "user_id", case, desired_user_grants(case), perms)


def _sync(model, holder_field: str, case, wanted: set, perms: dict) -> None:
    """Make the direct-FK grants on ``case`` (or any object of ``model``) exactly ``wanted``.

    The caller holds the object's row lock, so nobody else changes these grants
    meanwhile; even so the writes are safe against a writer that does not: the
    delete names the rows it read (a row added since is not touched), and the
    insert skips a grant that already exists instead of failing on guardian's
    unique constraint."""
    existing = {
        (holder, codename): pk
        for pk, holder, codename in model.objects.filter(content_object=case).values_list(
            "pk", holder_field, "permission__codename"
        )
    }
    stale = [pk for key, pk in existing.items() if key not in wanted]
    if stale:
        model.objects.filter(pk__in=stale).delete()
    missing = wanted - existing.keys()
    if missing:
        model.objects.bulk_create(
            [
                model(content_object=case, permission=perms[codename], **{holder_field: holder})
                for holder, codename in missing
            ],
            ignore_conflicts=True,
        )


@dataclass(frozen=True)
class AccessReason:
    rule: str
    detail: str
    since: dt.datetime | None
    level: str


@dataclass(frozen=True)
class UserGrantSource:
    """People another app lets see a case as its lead agency does (the chairs
    of its meetings), registered from that app's ``AppConfig.ready()`` so the
    case's grants and the "why can they see it" page both include them."""

    rule: str
    users: Callable[[Case], Iterable[int]]
    reasons: Callable[[AbstractBaseUser, Case], list[AccessReason]]


_user_grant_sources: dict[str, UserGrantSource] = {}


def register_user_grant_source(source: UserGrantSource) -> None:
    _user_grant_sources[source.rule] = source


_involvement_listeners: list[Callable[[Case], None]] = []


def register_involvement_listener(listener: Callable[[Case], None]) -> None:
    """Another app's grants that follow a case's involvements (the meetings of the
    case): ``listener(case)`` runs after every involvement starts or ends, in the
    same transaction and after the case's own grants are synced, so access derived
    from an involvement ends on the next request everywhere at once."""
    if listener not in _involvement_listeners:
        _involvement_listeners.append(listener)


def involvement_changed(case: Case) -> None:
    for listener in _involvement_listeners:
        listener(case)


def explain_access(user: AbstractBaseUser, case: Case) -> list[AccessReason]:
    """Every rule that lets ``user`` see ``case``, and since when; empty means no access."""
    reasons: list[AccessReason] = []
    if not user.is_active:
        return reasons
    memberships = {
        (m.agency_id, m.role): m
        for m in user.memberships.filter(is_active=True, agency__is_active=True)
    }
    now = timezone.now()
    for glass in case.break_glass.filter(user=user, expires_at__gt=now):
        reasons.append(
            AccessReason(
                "break_glass",
                f"Break-glass access until {timezone.localtime(glass.expires_at):%d %B %Y %H:%M}: "
                f"{glass.reason}",
                glass.started_at,
                "lead",
            )
        )
    if case.is_restricted:
        named = case.named_access.filter(user=user).first()
        if named:
            reasons.append(
                AccessReason("named", "Named on the restricted case", named.added_at, "lead")
            )
        elif case.allocated_worker_id == user.pk:
            reasons.append(AccessReason("allocation", "Allocated worker", None, "lead"))
        return reasons + _contributed_reasons(user, case)
    current = (
        case.involvements.filter(ended_at__isnull=True)
        .select_related("agency")
        .prefetch_related("reasons")
    )
    for involvement in current:
        roles = (
            LEAD_AGENCY_ROLES if involvement.level == Involvement.Level.LEAD else CASE_WORKING_ROLES
        )
        # One line per current reason of the involvement: each is a rule that
        # grants access, with its own since.
        why = [r for r in involvement.reasons.all() if r.ended_at is None]
        for role in sorted(roles):
            if (involvement.agency_id, role) not in memberships:
                continue
            for reason in why:
                source = reason.source_reference
                reasons.append(
                    AccessReason(
                        rule=_rule_for(involvement, reason.reason),
                        detail=f"{role.replace('_', ' ').capitalize()} at "
                        f"{involvement.agency.name}: {reason.get_reason_display()}"
                        + (f" ({source})" if source else ""),
                        since=reason.added_at,
                        level=involvement.level,
                    )
                )
    if case.allocated_worker_id == user.pk:
        reasons.append(AccessReason("allocation", "Allocated worker", None, "lead"))
    return reasons + _contributed_reasons(user, case)


def _rule_for(involvement: Involvement, reason: str) -> str:
    if involvement.level == Involvement.Level.LEAD:
        return "lead_agency"
    if reason == Involvement.Reason.MEETING:
        return "meeting_invitation"
    return "involvement"


def _contributed_reasons(user: AbstractBaseUser, case: Case) -> list[AccessReason]:
    return [
        reason for source in _user_grant_sources.values() for reason in source.reasons(user, case)
    ]
