"""Reads of concerns and their body maps, always for an acting user."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from agencies.roles import CASE_AND_MEETING_ROLES, TRIAGE_ROLES
from agencies.selectors import agencies_where
from cases.models import (
    BodyMapMark,
    Case,
    Concern,
    ConcernGroupObjectPermission,
    ConcernUserObjectPermission,
)
from cases.selectors.case_list import visible_rows_fetch
from cases.selectors.cases import (
    PLANS_GENERIC,
    User,
    case_visible_to,
    granted_ids_if_few,
    ids_with_permission,
    permission_ids,
)
from cases.selectors.many import remember_many, remembered_many
from safeguard.audit.services import audit_record
from safeguard.core.compiled import compiled_objects
from safeguard.core.keyset import Fetch


def concerns_on_case_for(user: User, case: Case, *, lead: bool) -> QuerySet[Concern]:
    """The lead agency sees every concern on the case; others, their own agency's."""
    concerns = Concern.objects.filter(case=case).select_related("reporting_agency")
    if not lead:
        concerns = concerns.filter(
            reporting_agency__in=agencies_where(user, roles=CASE_AND_MEETING_ROLES)
        )
    return concerns


# Concerns ---------------------------------------------------------------


def case_visible_q(user: User, *, now: Any = None) -> Q:
    """Concerns whose case, if any, does not stop the user seeing them.

    A concern linked to a restricted case is exactly as restricted as the case:
    only the people ``cases_for`` lets see the case (named users, the allocated
    worker, chairs of its meetings, unexpired break-glass) see it. There is no
    second rule here: whoever ``cases_for`` admits, this admits."""
    return (
        Q(case__isnull=True)
        | Q(case__is_restricted=False)
        | case_visible_to(user, "case_id", now=now)
    )


# What a list of concerns shows beside each: who reported it, from and to
# which agency, the child, the case and who decided and authorised.
CONCERN_RELATED = (
    "reporting_agency",
    "lead_agency",
    "reported_by",
    "child",
    "case",
    "decided_by",
    "authorised_by",
)


def concerns_for(user: User, *, now: Any = None) -> QuerySet[Concern]:
    """Submitted concerns the user may see, and the user's own drafts.

    A concern granted to the user is still hidden (404) when it is linked to a
    restricted case the user may not see, on every path that loads concerns
    through here: pages, front door, triage actions and the API. The one
    exception is the concern's own reporter, who keeps following what happened
    to what they reported (SPEC 3, outcome feedback): their own account and the
    decision on it, never the case (pages and API show the case only through
    ``cases_for``) and never the triage actions (``can_triage``)."""
    if not user.is_authenticated or not user.is_active:
        return Concern.objects.none()
    return Concern.objects.filter(
        Q(status=Concern.Status.DRAFT, reported_by=user)
        | (
            ~Q(status=Concern.Status.DRAFT)
            & ids_with_permission(
                user,
                "view_concern",
                user_grants=ConcernUserObjectPermission,
                group_grants=ConcernGroupObjectPermission,
            )
            & (Q(reported_by=user) | case_visible_q(user, now=now))
        )
    ).select_related(*CONCERN_RELATED)


def led_concern_visible_to(user: User, agency_ids: Sequence) -> Q:
    """``concerns_for``'s rule for the submitted concerns whose front door is
    one of ``agency_ids``, written so that a count over a front door's
    concerns needs no grant probe per row (the oversight dashboard).

    The same rule, not a second one: a submitted concern's view grant goes to
    its front door's triage roles' groups at submission and stays
    (``concern_submit``; the front door is not changed after), and a person is
    in those groups exactly while an active member of the active agency in one
    of those roles; so for such a person the grant is the concern's own
    ``lead_agency`` column, and the restricted-case rule (``case_visible_q``)
    still applies to every row. Anyone else is asked the grant itself.
    ``tests/oversight/test_access_reduction.py`` holds the two side by side."""
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    triaging = agencies_where(user, roles=TRIAGE_ROLES).values("pk")
    granted = Q(lead_agency_id__in=triaging) | ids_with_permission(
        user,
        "view_concern",
        user_grants=ConcernUserObjectPermission,
        group_grants=ConcernGroupObjectPermission,
    )
    return (
        Q(lead_agency_id__in=list(agency_ids))
        & ~Q(status=Concern.Status.DRAFT)
        & granted
        & (Q(reported_by=user) | case_visible_q(user))
    )


def visible_concern_ids_if_few(
    user: User, *, generic_after: bool = False
) -> list[uuid.UUID] | None:
    """The ids of every concern granted to the user when there are at most
    ``FEW``, else ``None``. A superset of what they see: ``concerns_for`` still
    applies the restricted-case rule to each. ``generic_after``: the
    transaction's later statements are planned generically (``_ids_or_one_null``).
    Someone this process found to see many lately is not counted again
    (``many.remembered_many``)."""
    if remembered_many(user, "concerns"):
        if generic_after and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT {PLANS_GENERIC}")  # noqa: S608 - a constant
        return None
    found = granted_ids_if_few(
        user,
        permission_ids("view_concern"),
        user_grants=ConcernUserObjectPermission,
        group_grants=ConcernGroupObjectPermission,
        generic_after=generic_after,
    )
    return remember_many(user, found, "concerns")


def get_concern_for(user: User, concern_id: uuid.UUID | str, *, audit: bool = True) -> Concern:
    concern = concerns_for(user).filter(pk=concern_id).first()
    if concern is None:
        raise Http404("No such concern")
    if audit and concern.status != Concern.Status.DRAFT:
        audit_record(
            user=user, action="view", event="concern_viewed", obj=concern, case_id=concern.case_id
        )
    return concern


# Keyset orders, each read off an index on the same columns (migration
# cases 0019_list_keyset_indexes); the id makes each total.
MY_CONCERNS_ORDER = ("-created_at", "-id")
FRONT_DOOR_ORDER = ("-immediate_risk", "submitted_at", "id")
# What the front door's table shows of each concern waiting (and its order):
# read alone, the page's statement joins one agency, not seven people and
# places, and PostgreSQL plans it in a fraction of the time.
FRONT_DOOR_FIELDS = (
    "id",
    "reference",
    "status",
    "immediate_risk",
    "child_first_name",
    "child_last_name",
    "submitted_at",
    "decision_due_at",
    "reporting_agency__name",
)


def my_concerns_for(user: User) -> QuerySet[Concern]:
    return concerns_for(user).filter(reported_by=user).order_by(*MY_CONCERNS_ORDER)


# What "Your concerns" and My work show of each of the person's concerns: a
# draft's child and when it was saved, a submitted one's reference, child,
# status and decision. With the seven people and agencies ``concerns_for``
# joins, none of which either page shows, PostgreSQL spent 10 to 20 ms
# planning a statement that runs in 1 to 2, on every visit: it never settled
# on a generic plan for it.
MY_CONCERN_FIELDS = (
    "id",
    "reference",
    "status",
    "decision",
    "draft_data",
    "child_first_name",
    "child_last_name",
    "created_at",
    "submitted_at",
    "updated_at",
)


def my_concern_rows_fetch(user: User) -> Fetch:
    """A ``keyset_page`` fetch of ``my_concerns_for(user)``'s rows, with
    ``MY_CONCERN_FIELDS`` only, for an authenticated, active ``user`` (the
    "Your concerns" page): one statement per shape of page, compiled once per
    process. Building the access rule with the ORM was a third of the page's
    Python."""
    return visible_rows_fetch("my_concerns", _mine, user, None, MY_CONCERNS_ORDER)


def _mine(person: AbstractBaseUser, now: Any) -> QuerySet[Concern]:
    mine = concerns_for(person, now=now).filter(reported_by=person)
    return mine.select_related(None).only(*MY_CONCERN_FIELDS)


def my_latest_concerns_for(user: User, *, limit: int, now: Any = None) -> list[Concern]:
    """``my_concerns_for``'s first ``limit`` (My work), with
    ``MY_CONCERN_FIELDS`` only, its statement compiled once per process
    (``safeguard.core.compiled``)."""
    if not user.is_authenticated or not user.is_active:
        return []

    def build(person: AbstractBaseUser, now: Any) -> QuerySet[Concern]:
        return _mine(person, now).order_by(*MY_CONCERNS_ORDER)[:limit]

    now = timezone.now() if now is None else now
    return compiled_objects(("my_latest_concerns_for", limit), build, person=user, now=now)


def front_door_queue_for(user: User, *, now: Any = None) -> QuerySet[Concern]:
    """Concerns waiting at the front doors the user works, highest risk and oldest first.

    ``concerns_for``'s rule for these rows, as ``led_concern_visible_to``
    writes it: the doors are the agencies where the person is an active member
    in a triage role, whose groups hold the view grant on every concern
    submitted to that door, so for these rows the grant is the door itself and
    no grant is probed per row (a county's queue is thousands of rows, and My
    work counts them on every visit). The restricted-case rule still applies
    to each row. ``tests/oversight/test_access_reduction.py`` holds this queue
    beside ``concerns_for``'s, person by person, as memberships end and cases
    are restricted."""
    if not user.is_authenticated or not user.is_active:
        return Concern.objects.none()
    doors = agencies_where(user, roles=TRIAGE_ROLES, kind="social_care")
    return (
        Concern.objects.filter(
            lead_agency__in=doors,
            status__in=[Concern.Status.SUBMITTED, Concern.Status.AWAITING_AUTHORISATION],
        )
        .filter(Q(reported_by=user) | case_visible_q(user, now=now))
        .select_related(*CONCERN_RELATED)
        .order_by(*FRONT_DOOR_ORDER)
    )


# Where each region's mark is drawn on a 100 x 200 outline, seen from the
# front; on the back view left and right swap sides.
CENTRES = {
    "head": (50, 14),
    "face": (50, 20),
    "neck": (50, 33),
    "chest": (50, 50),
    "abdomen": (50, 75),
    "right_arm": (24, 62),
    "left_arm": (76, 62),
    "right_hand": (22, 100),
    "left_hand": (78, 100),
    "groin": (50, 95),
    "right_leg": (42, 135),
    "left_leg": (58, 135),
    "right_foot": (41, 180),
    "left_foot": (59, 180),
}


def mark_position(mark: BodyMapMark, index: int) -> tuple[int, int]:
    x, y = CENTRES[mark.region]
    if mark.side == BodyMapMark.Side.BACK:
        x = 100 - x
    # Several marks in one region sit side by side rather than on top of each other.
    return x + (index % 3) * 4 - 4, y + (index // 3) * 4


def body_map_for(concern: Concern) -> dict:
    """What the body map template draws: numbered marks on each view, and the list."""
    marks: list[dict] = []
    seen: dict[tuple[str, str], int] = {}
    for number, mark in enumerate(concern.body_map.all(), start=1):
        key = (mark.side, mark.region)
        index = seen.get(key, 0)
        seen[key] = index + 1
        x, y = mark_position(mark, index)
        marks.append({"mark": mark, "number": number, "x": x, "y": y})
    return {
        "marks": marks,
        "sides": [
            {"side": side, "label": label, "marks": [m for m in marks if m["mark"].side == side]}
            for side, label in BodyMapMark.Side.choices
        ],
    }
