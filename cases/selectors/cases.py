"""Reads of cases, always for an acting user.

Views, the API and tasks never touch ``Case.objects`` directly: they ask here,
so permission scoping cannot be forgotten. Anything a user may not see is
indistinguishable from something that does not exist (``Http404``). Scoping is
written over guardian's direct-FK tables rather than through
``get_objects_for_user``, which measured ~50x slower on big tables
(ARCHITECTURE.md), and never accepts global permissions.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Permission
from django.db import connection
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Value
from django.http import Http404
from django.utils import timezone

from agencies.models import Membership
from agencies.roles import LEAD_AGENCY_ROLES, OVERSIGHT_ROLES
from agencies.selectors import agencies_where
from cases.access import VIEW, VIEW_LEAD
from cases.models import (
    BreakGlass,
    Case,
    CaseGroupObjectPermission,
    CaseUserObjectPermission,
    ChronologyEntry,
    Involvement,
    InvolvementReason,
)
from safeguard.audit.context import request_memo
from safeguard.audit.services import audit_record
from safeguard.core.compiled import compiled, compiled_objects, compiled_rows
from safeguard.core.lookups import Ids, one_of

User = AbstractBaseUser | AnonymousUser


def _group_ids(user: AbstractBaseUser) -> QuerySet:
    # Role groups follow active memberships (agencies.services); a suspended
    # agency's groups carry no access at all.
    return user.groups.filter(agency_role__agency__is_active=True).values("pk")


@dataclass(frozen=True)
class RoleValues:
    """A person's active role groups and the ids of the view permission,
    read before a statement rather than planned as subqueries in it.

    The matcher repeats the access rule in each of its blocks: PostgreSQL
    spent five times as long planning the joins that find the groups and the
    permission, once per block, as running the search (6.7 ms against 1.4 for
    a postcode, bench/RESULTS.md). As values (one array parameter each) the
    statement is the same for everyone, so it is compiled once too."""

    groups: list[int]
    permission: list[int]


def role_values(user: AbstractBaseUser) -> RoleValues:
    """``user``'s ``RoleValues`` now (two small reads)."""
    return RoleValues(
        groups=list(_group_ids(user).values_list("pk", flat=True)),
        permission=list(permission_ids(VIEW).values_list("pk", flat=True)),
    )


def ids_with_permission(
    user: AbstractBaseUser,
    codename: str,
    *,
    user_grants: type = CaseUserObjectPermission,
    group_grants: type = CaseGroupObjectPermission,
    outer: str = "pk",
) -> Q:
    """The rows (``outer`` names their id: the primary key by default) on which
    ``user`` holds ``codename``, directly or through an active agency role
    group, read from guardian's direct-FK grant tables (cases by default;
    concerns pass their own tables).

    Written as one ``EXISTS`` per row over a ``UNION ALL`` of the two grant
    tables: PostgreSQL cannot turn that into a hashed set of every visible id
    (which at a county's million cases is seconds), so it walks the list's
    ordering index and probes the grants' unique indexes for the few rows a
    page needs (bench/RESULTS.md, "List queries: plans at scale")."""
    return Q(Exists(_grant_rows(user, codename, user_grants, group_grants, outer)))


def permission_ids(codename: str) -> QuerySet:
    return Permission.objects.filter(codename=codename, content_type__app_label="cases").values(
        "pk"
    )


def _grant_rows(
    user: AbstractBaseUser,
    codename: str,
    user_grants: type,
    group_grants: type,
    outer: str,
    extra: QuerySet | None = None,
    given: RoleValues | None = None,
) -> QuerySet:
    one = Value(1)
    if given is None:
        # The permission and the groups are subqueries of their own, read once
        # per statement rather than joined again on every row probed.
        permission = Q(permission__in=permission_ids(codename))
        groups = Q(group__in=_group_ids(user))
    else:
        # Read before, as values: nothing for PostgreSQL to plan (see RoleValues).
        permission = one_of(given.permission, "permission__pk")
        groups = one_of(given.groups, "group__pk")
    by_group = group_grants.objects.filter(
        groups, permission, content_object=OuterRef(outer)
    ).values_list(one)
    by_user = (
        user_grants.objects.filter(permission, content_object=OuterRef(outer), user=user)
        .filter(still_a_member(user))
        # Implied by the row itself, but asked once per statement (a one-time
        # filter, as ``still_a_member``): most people hold no grant of their
        # own, and without it every row a list walks probed their grants too,
        # half of each probe (a health practitioner's deep case list page:
        # 1,900 probes for 26 rows).
        .filter(Exists(user_grants.objects.filter(permission, user=user)))
        .values_list(one)
    )
    more = [by_user] if extra is None else [by_user, extra]
    return by_group.union(*more, all=True)


def still_a_member(user: AbstractBaseUser) -> Q:
    """A grant held by a person (named on a restricted case, allocated, chairing,
    reporting, breaking glass) counts only while they are an active member of an
    active agency: when their last membership ends, so does everything it gave
    them, on the next request, like the role groups they just left. In the
    grant query itself, so no path pays an extra query for it."""
    return Q(Exists(Membership.objects.filter(user=user, is_active=True, agency__is_active=True)))


def _live_break_glass(user: AbstractBaseUser, outer: str, now: Any = None) -> QuerySet:
    # Time-limited by the row itself: access ends the moment it expires, with
    # no sweeper to forget.
    now = timezone.now() if now is None else now
    live = BreakGlass.objects.filter(user=user, expires_at__gt=now)
    return (
        live.filter(case=OuterRef(outer))
        .filter(still_a_member(user))
        # Asked once per statement, as the grants' own (``_grant_rows``):
        # almost nobody has broken glass, and a list probes every row it walks.
        .filter(Exists(live))
        .values_list(Value(1))
    )


def _break_glass_case_ids(user: AbstractBaseUser, outer: str = "pk", now: Any = None) -> Q:
    return Q(Exists(_live_break_glass(user, outer, now)))


def case_visible_to(
    user: User, outer: str = "pk", *, now: Any = None, given: RoleValues | None = None
) -> Q:
    """The one rule for seeing a case, as a per-row test on the row whose case
    id ``outer`` names (``case_id`` from a concern, say): a view grant or an
    unexpired break-glass. Nobody unauthenticated or inactive passes.
    ``given``: the person's role groups and the view permission, read before
    (``role_values``)."""
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    rows = _grant_rows(
        user,
        VIEW,
        CaseUserObjectPermission,
        CaseGroupObjectPermission,
        outer,
        extra=_live_break_glass(user, outer, now),
        given=given,
    )
    return Q(Exists(rows))


def led_case_visible_to(user: User, agency_ids: Sequence, case: str = "", *, now: Any = None) -> Q:
    """``case_visible_to`` for cases led by ``agency_ids``, written so that a
    count over a lead agency's cases needs no grant probe per row (the
    oversight dashboard: hundreds of thousands of rows at a county's scale).
    ``case`` is the lookup prefix of the row's case ("" for a case, "case__"
    for a row with a case).

    The same rule, not a second one: the lead agency's social workers' and
    managers' role groups hold the view grant on every unrestricted case it
    leads (``cases.access.desired_group_grants``, and the lead's own
    involvement cannot be ended: ``case_end_involvement``), and a person is in
    those groups exactly while an active member of the active agency in one of
    those roles. So for such a person the grant is the case's own
    ``is_restricted`` column; anything else (a restricted case, an agency where
    they hold no such role, a chair) is asked of ``case_visible_to`` itself.
    ``tests/oversight/test_access_reduction.py`` holds the two side by side."""
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    leading = agencies_where(user, roles=LEAD_AGENCY_ROLES).values("pk")
    # A list as one parameter (``one_of``), so a statement built with it can
    # be compiled once per process (oversight.selectors); a queryset as a
    # subquery.
    led = (
        Q(**{f"{case}lead_agency_id__in": agency_ids})
        if isinstance(agency_ids, QuerySet)
        else one_of(agency_ids, f"{case}lead_agency__pk")
    )
    return led & (
        Q(**{f"{case}lead_agency_id__in": leading, f"{case}is_restricted": False})
        | case_visible_to(user, case.removesuffix("__") + "_id" if case else "pk", now=now)
    )


def case_visible_led_first(user: User, *, now: Any = None) -> Q:
    """``case_visible_to`` with the unrestricted cases of the agencies the
    person leads as a social worker or manager answered by the case's own
    columns, before any grant is probed (``led_case_visible_to``'s reasoning,
    over every case rather than one agency's): a count of a lead manager's
    open cases nobody holds probed the grants of a thousand cases (3.7 ms)."""
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    leading = agencies_where(user, roles=LEAD_AGENCY_ROLES).values("pk")
    return Q(lead_agency_id__in=leading, is_restricted=False) | case_visible_to(user, now=now)


def cases_for(user: User, *, now: Any = None, given: RoleValues | None = None) -> QuerySet[Case]:
    if not user.is_authenticated or not user.is_active:
        return Case.objects.none()
    return Case.objects.filter(case_visible_to(user, now=now, given=given))


def visible_among(user: User, ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    """Which of ``ids`` the user sees now (``cases_for``): a list's page asks
    it of the cases its rows link to, in one statement compiled once per
    process (building the rule took longer than PostgreSQL's answer)."""
    ids = list(ids)
    if not ids or not user.is_authenticated or not user.is_active:
        return set()
    rows = compiled_rows(("visible_among",), _among, person=user, now=timezone.now(), ids=ids)
    return {_as_uuid(pk) for (pk,) in rows}


def _among(person: AbstractBaseUser, now: Any, ids: list[uuid.UUID]) -> QuerySet:
    return cases_for(person, now=now).filter(one_of(ids)).order_by().values_list("pk")


# A visible set this small is read from the grant tables and fetched by primary
# key; a bigger one is walked in list order with a probe per row. Either plan
# reads at most this many index entries, whatever the size of the county.
FEW = 5000


def granted_ids_if_few(
    user: User,
    permission: QuerySet,
    *,
    user_grants: type,
    group_grants: type,
    extra: Callable[[AbstractBaseUser, Any], Sequence[QuerySet]] | None = None,
    generic_after: bool = False,
) -> list | None:
    """The ids of every row on which the user holds ``permission`` (a query of
    permission ids) through the grant tables given, and of ``extra(person,
    now)`` (querysets of one id column), when there are at most ``FEW``;
    ``None`` for more. ``generic_after``: see ``_ids_or_one_null``.

    One bounded query. A list then starts from the grants for the few instead
    of walking a whole table in order to find them: a school that sees 40 of a
    county's 330,000 concerns probed every one of them (2.4 s, bench/RESULTS.md).
    Compiled once per process (safeguard.core.compiled): building it with the
    ORM cost a thousand times what PostgreSQL takes to answer it."""
    if not user.is_authenticated or not user.is_active:
        return []
    sql, params = granted_ids_statement(
        user, permission, user_grants=user_grants, group_grants=group_grants, extra=extra
    )
    if connection.vendor == "postgresql":
        sql = _ids_or_one_null(sql, generic_after=generic_after)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return ids_if_few(cursor.fetchall())


def ids_if_few(rows: Sequence[tuple]) -> list[uuid.UUID] | None:
    """What ``granted_ids_if_few`` answers, from the rows of its statement."""
    if len(rows) > FEW or (rows and rows[0][0] is None):
        return None
    # Once each: a row granted twice (to a group of the person's and to them
    # by name) is one id. PostgreSQL's statement sends each once already
    # (``_ids_or_one_null``); SQLite's (the demo) does not.
    return Ids(dict.fromkeys(_as_uuid(row[0]) for row in rows))


def granted_ids_statement(
    user: AbstractBaseUser,
    permission: QuerySet,
    *,
    user_grants: type,
    group_grants: type,
    extra: Callable[[AbstractBaseUser, Any], Sequence[QuerySet]] | None = None,
) -> tuple[str, list]:
    """The SQL and parameters of ``granted_ids_if_few``'s grants: up to
    ``FEW + 1`` ids, for an authenticated, active ``user``."""

    def build(person: AbstractBaseUser, now: Any) -> QuerySet:
        by_group = group_grants.objects.filter(
            group__in=_group_ids(person), permission__in=permission
        ).values_list("content_object_id")
        by_user = (
            user_grants.objects.filter(user=person, permission__in=permission)
            .filter(still_a_member(person))
            .values_list("content_object_id")
        )
        more = extra(person, now) if extra is not None else ()
        # No arm may carry its model's default ordering: SQLite refuses an ORDER BY
        # inside a compound statement (the demo's ``make run`` runs on SQLite).
        arms = [arm.order_by() for arm in (by_group, by_user, *more)]
        return arms[0].union(*arms[1:], all=True)[: FEW + 1]

    # The permission's filter by its text (no compiling): which permission it is;
    # and FEW, which the statement's LIMIT holds (a test that lowers it must not
    # leave its LIMIT behind for the next caller).
    key = (
        "granted_ids_if_few",
        user_grants,
        group_grants,
        extra,
        str(permission.query.where),
        FEW,
    )
    return compiled(key, build, person=user, now=timezone.now())


def _ids_or_one_null(sql: str, more: str = "", *, generic_after: bool = False) -> str:
    """``sql`` (up to ``FEW + 1`` ids) answering with the ids when there are
    at most ``FEW``, and with one NULL when there are more (PostgreSQL). A
    person who sees much was sent 5,001 ids to learn only that: 7 to 9 ms of
    every list page at a county's scale, for a PostgreSQL answer of 2.
    ``more`` is written after each of the two (columns of NULLs, for a UNION
    with other rows). Each id once: a row granted both to the person's group
    and to them by name (a health practitioner invited to 1,140 of their
    trust's 1,150 meetings) was sent twice, and read twice by the driver.

    ``generic_after``: the rest of the transaction's statements are planned
    generically (``plan_cache_mode``, set once, in whichever of the two
    one-time filters is asked, with no statement of its own). For a list whose
    page PostgreSQL planned afresh on every request because its estimate of
    the generic plan was above its fresh ones: the API's concerns, 19 ms of
    planning for 6 of running, where the generic plan is the same walk."""
    planned = f" AND (SELECT {PLANS_GENERIC}) IS NOT NULL" if generic_after else ""
    # The ORM's own SQL and constants: no text from anyone.
    return (
        f"WITH granted AS MATERIALIZED ({sql}) "  # noqa: S608
        f"SELECT DISTINCT *{more} FROM granted "
        f"WHERE (SELECT count(*) FROM granted) <= {FEW}{planned} "
        f"UNION ALL SELECT NULL{more} WHERE (SELECT count(*) FROM granted) > {FEW}{planned}"
    )


# Set in a statement's own columns or filters, for the statements after it in
# the transaction (the header search's ``search_rule`` does the same).
PLANS_GENERIC = "set_config('plan_cache_mode', 'force_generic_plan', true)"


def _as_uuid(value: Any) -> uuid.UUID:
    # PostgreSQL hands back UUIDs; SQLite (the demo) their 32 hex digits.
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _live_break_glass_ids(person: AbstractBaseUser, now: Any) -> list[QuerySet]:
    return [
        BreakGlass.objects.filter(user=person, expires_at__gt=now)
        .filter(still_a_member(person))
        .values_list("case_id")
    ]


def active_break_glass(user: User, case: Case) -> BreakGlass | None:
    if not user.is_authenticated:
        return None
    return (
        BreakGlass.objects.filter(user=user, case=case, expires_at__gt=timezone.now())
        .order_by("-expires_at")
        .first()
    )


# The case lists' order: most recently changed first, the id breaking ties,
# read straight off the index on (updated_at, id) (keyset pagination).
CASE_ORDER = ("-updated_at", "-id")


def case_list_for(user: User, *, now: Any = None) -> QuerySet[Case]:
    return (
        cases_for(user, now=now)
        .select_related("child", "lead_agency", "allocated_worker", "team")
        .order_by(*CASE_ORDER)
    )


def allocated_cases_for(
    user: User, *, limit: int = 10, audit: bool = True, now: Any = None
) -> list[Case]:
    """The newest cases allocated to the user that they still see, for "My work".

    The list names each child, so reading it is audited like any other case
    list (one row naming the references shown); an empty list reads nothing.
    ``audit=False``: the caller writes one row for everything its page lists.
    Its statement is compiled once per process (``safeguard.core.compiled``).
    """
    if not user.is_authenticated or not user.is_active:
        return []

    def build(person: AbstractBaseUser, now: Any) -> QuerySet[Case]:
        return case_list_for(person, now=now).filter(allocated_worker=person)[:limit]

    now = timezone.now() if now is None else now
    cases = compiled_objects(("allocated_cases_for", limit), build, person=user, now=now)
    if cases and audit:
        audit_record(
            user=user,
            action="list",
            event="allocated_cases_listed",
            detail={"references": [c.reference for c in cases]},
        )
    return cases


def get_case_for(user: User, case_id: uuid.UUID | str, *, audit: bool = True) -> Case:
    """The case, if ``user`` sees it; 404 if not (or no such case). Asked by
    every page and API call about a case: its statement is compiled once per
    process (``safeguard.core.compiled``) and bound to the person, the time
    and the case."""
    try:
        pk = case_id if isinstance(case_id, uuid.UUID) else uuid.UUID(str(case_id))
    except ValueError:
        raise Http404("No such case") from None
    if not user.is_authenticated or not user.is_active:
        raise Http404("No such case")
    found = compiled_objects(
        ("get_case_for",), _case_by_id, person=user, now=timezone.now(), case=pk
    )
    if not found:
        raise Http404("No such case")
    case = found[0]
    if audit:
        case_read_record(user, case)
    return case


def _case_by_id(person: User, now: Any, case: uuid.UUID) -> QuerySet[Case]:
    return case_list_for(person, now=now).filter(pk=case)[:1]


def case_read_record(user: User, case: Case) -> None:
    """Record that ``user`` read ``case`` (with the break-glass reason when that
    is how they see it): for pages that fetch the case before deciding to show it."""
    glass = active_break_glass(user, case) if case.is_restricted else None
    audit_record(
        user=user,
        action="view",
        event="case_viewed_break_glass" if glass else "case_viewed",
        obj=case,
        case_id=case.pk,
        reason=glass.reason if glass else "",
    )


def has_lead_access(user: User, case: Case) -> bool:
    """Whether ``user`` sees ``case`` as its lead agency does. Asked by most
    parts of the case page (each policy check, the chronology, the
    sections): answered once per request, and afresh outside one."""
    if not user.is_authenticated:
        return False
    memo = request_memo()
    key = ("lead_access", user.pk, case.pk)
    if memo is not None and key in memo:
        return memo[key]
    sql, params = compiled(
        "has_lead_access", _lead_access, person=user, case_id=case.pk, now=timezone.now()
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        lead = cursor.fetchone() is not None
    if memo is not None:
        memo[key] = lead
    return lead


def _lead_access(person: AbstractBaseUser, case_id: uuid.UUID, now: Any) -> QuerySet:
    # Compiled once per process (safeguard.core.compiled): building the grant
    # probe with the ORM was about 10 ms of every case page, running it 1 ms.
    return (
        Case.objects.filter(pk=case_id)
        .filter(
            ids_with_permission(person, VIEW_LEAD) | Q(Exists(_live_break_glass(person, "pk", now)))
        )
        .values_list(Value(1))[:1]
    )


def chronology_for(
    user: User,
    case: Case,
    *,
    lead: bool | None = None,
    filters: dict[str, Any] | None = None,
) -> QuerySet[ChronologyEntry]:
    """The case's chronology at the user's level: involved agencies see shared
    entries only. ``filters`` may narrow it by agency, kind and dates."""
    if lead is None:
        lead = has_lead_access(user, case)
    qs = ChronologyEntry.objects.filter(case=case).select_related("agency", "created_by")
    if not lead:
        qs = qs.filter(visibility=ChronologyEntry.Visibility.SHARED)
    filters = filters or {}
    if filters.get("agency"):
        qs = qs.filter(agency=filters["agency"])
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    if filters.get("date_from"):
        qs = qs.filter(occurred_at__date__gte=filters["date_from"])
    if filters.get("date_to"):
        qs = qs.filter(occurred_at__date__lte=filters["date_to"])
    return qs.order_by("-occurred_at", "-created_at")


def involvements_for(user: User, case: Case) -> QuerySet[Involvement]:
    """The case's current involvements, one per agency, each with its current
    reasons as ``current_reasons``."""
    return (
        case.involvements.filter(ended_at__isnull=True)
        .select_related("agency")
        .prefetch_related(current_reasons_prefetch())
        .order_by("-level", "agency__name")
    )


REASON_ORDER = ("added_at", "id")


def current_reasons_prefetch() -> Prefetch:
    return Prefetch(
        "reasons",
        queryset=InvolvementReason.objects.filter(ended_at__isnull=True).order_by(*REASON_ORDER),
        to_attr="current_reasons",
    )


# Oversight ----------------------------------------------------------------------


def get_case_for_oversight(user: User, case_id: uuid.UUID | str) -> Case:
    """For the lead agency's managers and auditors: the case's reference and who
    has looked at it, never its content."""
    if not user.is_authenticated or not user.is_active:
        raise Http404
    overseen = agencies_where(user, roles=OVERSIGHT_ROLES, kind="social_care")
    case = (
        Case.objects.filter(pk=case_id, lead_agency__in=overseen)
        .select_related("lead_agency")
        .first()
    )
    if case is None:
        raise Http404("No such case")
    return case


def access_log_for(user: User, case: Case):
    from safeguard.audit.models import AuditEvent

    get_case_for_oversight(user, case.pk)
    return AuditEvent.objects.filter(case_id=case.pk).order_by("-id")
