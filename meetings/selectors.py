"""Reads of meetings for an acting user, scoped by the grants on them.

Every read takes the user and returns only what they may see; a meeting they
may not see is a 404, like a missing one. The grants themselves are kept in
step with the chair and the invitations by ``meetings.grants``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Permission
from django.db.models import (
    BooleanField,
    CharField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Concat
from django.db.models.lookups import IsNull
from django.http import Http404
from django.utils import timezone

from agencies.models import Agency
from agencies.roles import CASE_WORKING_ROLES, Role
from agencies.selectors import agencies_where, has_role
from cases.models import Case, CaseAction, Involvement
from cases.selectors.case_list import visible_rows_fetch
from cases.selectors.cases import granted_ids_if_few, still_a_member
from cases.selectors.many import remember_many, remembered_many
from meetings.models import (
    AgencyReport,
    AgendaItem,
    InvitationRequest,
    Meeting,
    MeetingCase,
    MeetingGroupObjectPermission,
    MeetingInvitation,
    MeetingUserObjectPermission,
)
from safeguard.audit.services import audit_record
from safeguard.core.compiled import compiled_objects, compiled_rows
from safeguard.core.keyset import Fetch, KeysetPage, keyset_page
from safeguard.core.lookups import Ids, one_of

VIEW = "view_meeting"
VIEW_LEAD = "view_meeting_lead"
CHAIR = "chair_meeting"
User = AbstractBaseUser | AnonymousUser


def _permission(codename: str) -> QuerySet:
    return Permission.objects.filter(
        codename=codename,
        content_type__app_label=Meeting._meta.app_label,
        content_type__model=Meeting._meta.model_name,
    ).values("pk")


def _meeting_ids_with(user: AbstractBaseUser, codename: str) -> Q:
    """One EXISTS per meeting over both grant tables, as for cases
    (``cases.selectors.cases.ids_with_permission``): a list walks its index in
    order and probes the grants, never hashing every meeting the user sees."""
    groups = user.groups.filter(agency_role__agency__is_active=True).values("pk")
    permission = _permission(codename)
    by_group = MeetingGroupObjectPermission.objects.filter(
        content_object=OuterRef("pk"), group__in=groups, permission__in=permission
    ).values_list(Value(1))
    by_user = (
        MeetingUserObjectPermission.objects.filter(
            content_object=OuterRef("pk"), user=user, permission__in=permission
        )
        .filter(still_a_member(user))
        .values_list(Value(1))
    )
    return Q(Exists(by_group.union(by_user, all=True)))


# Newest first, the id breaking ties: read off the index on (scheduled_at, id).
MEETING_ORDER = ("-scheduled_at", "-id")


def meetings_for(user: User) -> QuerySet[Meeting]:
    if not user.is_authenticated or not user.is_active:
        return Meeting.objects.none()
    return Meeting.objects.filter(_meeting_ids_with(user, VIEW))


def meeting_subjects() -> Prefetch:
    """The children a list shows beside each meeting: prefetched with the
    meetings, or (the list page, two lists of them) once for both."""
    return Prefetch("subjects", queryset=MeetingCase.objects.select_related("case__child"))


def meeting_list_for(user: User) -> QuerySet[Meeting]:
    return (
        meetings_for(user)
        .select_related("chair", "lead_agency")
        .prefetch_related(meeting_subjects())
        .order_by(*MEETING_ORDER)
    )


def meeting_rows_for(user: User) -> QuerySet[Meeting]:
    """``meeting_list_for`` for a list page: when the user sees few meetings
    (a school invited to a handful of a county's), fetched by id from their
    grants rather than found by walking every meeting in date order."""
    return _few_first(user, meeting_list_for(user))


def _few_first(user: User, meetings: QuerySet[Meeting]) -> QuerySet[Meeting]:
    few = meeting_ids_if_few(user)
    return meetings if few is None else meetings.filter(one_of(few))


def meeting_ids_if_few(user: User) -> list[uuid.UUID] | None:
    """The ids of every meeting granted to the user when there are at most
    ``FEW``, else ``None`` (also for a while after this process last found
    them many: ``cases.selectors.many``)."""
    if remembered_many(user, "meetings"):
        return None
    found = granted_ids_if_few(
        user,
        _permission(VIEW),
        user_grants=MeetingUserObjectPermission,
        group_grants=MeetingGroupObjectPermission,
    )
    return remember_many(user, found, "meetings")


def meeting_rows_fetch(user: User) -> Fetch:
    """A ``keyset_page`` fetch of ``meeting_rows_for(user)``'s rows for an
    authenticated, active ``user`` (the API's list): one statement per shape,
    compiled once per process; the children are not read (prefetch them with
    ``meeting_subjects``). Building the access rule with the ORM took longer
    than PostgreSQL's answer."""
    return visible_rows_fetch(
        "api_meetings", _shown_to, user, meeting_ids_if_few(user), MEETING_ORDER, ids_first=True
    )


UPCOMING_SHOWN = 50

# What the meetings page's table reads of each meeting (its kind, reference,
# time and status, and whether it was late): the chair, the lead agency and
# the rest of the row are for other pages. Read whole, with the chair and the
# agency joined, a health trust's page built three times the objects it shows.
LISTED_FIELDS = (
    "id",
    "reference",
    "kind",
    "scheduled_at",
    "due_on",
    "finalised_at",
    "cancelled_at",
)


def meeting_list_page_for(
    user: User, cursor: str | None, *, ordering: Sequence[str] = MEETING_ORDER, query=None
) -> tuple[list[Meeting], KeysetPage]:
    """The meetings page with no filter in force: the first ``UPCOMING_SHOWN``
    meetings to come, soonest first, and a keyset page of those held (finalised,
    or their time has passed), each read by a statement compiled once per
    process, as ``meeting_rows_for`` finds them (few ids, or the grants probed
    per meeting), with ``LISTED_FIELDS`` only. The children beside each
    meeting are not read here (``name_children``)."""
    if not user.is_authenticated or not user.is_active:
        return [], keyset_page(Meeting.objects.none(), ordering, cursor, query=query)
    few = meeting_ids_if_few(user)
    now = timezone.now()

    def upcoming(person: AbstractBaseUser, now: dt.datetime, **values: Any) -> QuerySet[Meeting]:
        rows = _listed(person, now).filter(_to_come_at(now))
        if "few" in values:
            rows = rows.filter(one_of(values["few"]))
        return rows.order_by("scheduled_at", "id")[:UPCOMING_SHOWN]

    values: dict[str, Any] = {"person": user, "now": now}
    if few is not None:
        values["few"] = few
    soonest = compiled_objects(("meetings_upcoming", tuple(sorted(values))), upcoming, **values)
    fetch = visible_rows_fetch("meetings_held", _listed_held, user, few, ordering, now=now)
    return soonest, keyset_page(Meeting.objects.none(), ordering, cursor, query=query, fetch=fetch)


def name_children(meetings: Sequence[Meeting]) -> None:
    """Sets ``child_names`` on each of ``meetings`` (which the user sees): the
    children each is about, by surname, as the meetings page lists them. One
    statement compiled once per process, reading three columns a child: the
    ORM's prefetch built a link, a case and a child, whole, for each."""
    if not meetings:
        return
    ids = Ids(meeting.pk for meeting in meetings)
    names: dict[Any, list[str]] = {meeting.pk: [] for meeting in meetings}
    for meeting_id, first, last in compiled_rows(("meeting_children_named",), _named, ids=ids):
        names[meeting_id].append(f"{first} {last}".strip())
    for meeting in meetings:
        meeting.child_names = names[meeting.pk]


def _named(ids: list[uuid.UUID]) -> QuerySet[MeetingCase]:
    return (
        MeetingCase.objects.filter(one_of(ids, "meeting__pk"))
        .order_by("case__child__last_name", "case__child__first_name", "case__child__id")
        .values_list("meeting_id", "case__child__first_name", "case__child__last_name")
    )


def _shown_to(person: AbstractBaseUser, now: dt.datetime) -> QuerySet[Meeting]:
    # ``now`` is unused: meetings have no break-glass; the fetch passes it.
    return meetings_for(person).select_related("chair", "lead_agency")


def _listed(person: AbstractBaseUser, now: dt.datetime) -> QuerySet[Meeting]:
    return meetings_for(person).only(*LISTED_FIELDS)


def _to_come_at(now: dt.datetime) -> Q:
    return Q(scheduled_at__gte=now, finalised_at__isnull=True)


def _listed_held(person: AbstractBaseUser, now: dt.datetime) -> QuerySet[Meeting]:
    return _listed(person, now).exclude(_to_come_at(now))


def get_meeting_for(user: User, meeting_id: uuid.UUID | str, *, audit: bool = True) -> Meeting:
    meeting = meeting_list_for(user).filter(pk=meeting_id).first()
    if meeting is None:
        raise Http404("No such meeting")
    if audit:
        # One row per child, so the meeting shows in each case's "who has viewed
        # this record" (the page names the children and carries their reports).
        for subject in meeting.subjects.all():
            audit_record(
                user=user,
                action="view",
                event="meeting_viewed",
                obj=meeting,
                case_id=subject.case_id,
                detail={"reference": meeting.reference},
            )
    return meeting


def has_meeting_lead_access(user: User, meeting: Meeting) -> bool:
    if not user.is_authenticated:
        return False
    return Meeting.objects.filter(pk=meeting.pk).filter(_meeting_ids_with(user, VIEW_LEAD)).exists()


def is_chair(user: User, meeting: Meeting) -> bool:
    return user.is_authenticated and meeting.chair_id == user.pk


def own_agency_ids(user: User) -> set:
    return set(agencies_where(user, roles=CASE_WORKING_ROLES).values_list("pk", flat=True))


def meeting_detail_for(user: User, meeting_id: uuid.UUID | str) -> dict:
    """What the meeting page shows the user, in a fixed number of queries.

    At the invited level: shared reports and its own agency's, open agenda
    items, the decisions, and the actions assigned to its agency.
    """
    meeting = get_meeting_for(user, meeting_id)
    lead = has_meeting_lead_access(user, meeting)
    mine = own_agency_ids(user)
    reports = AgencyReport.objects.filter(meeting=meeting).select_related("agency", "author")
    items = AgendaItem.objects.filter(meeting=meeting)
    actions = CaseAction.objects.filter(meeting=meeting).select_related(
        "agency", "owner", "case__child"
    )
    if not lead:
        reports = reports.filter(_invitee_reports(mine))
        items = items.filter(lead_only=False)
        actions = actions.filter(agency_id__in=mine)
    invitations = list(
        MeetingInvitation.objects.filter(meeting=meeting).select_related("agency", "person")
    )
    return {
        "meeting": meeting,
        "lead_access": lead,
        "is_chair": is_chair(user, meeting),
        "subjects": list(meeting.subjects.all()),
        "invitations": invitations,
        "my_invitations": [i for i in invitations if i.agency_id in mine],
        "reports": list(reports),
        "agenda_items": list(items),
        "actions": list(actions),
        "dissents": list(meeting.dissents.select_related("agency", "case__child")),
        "addenda": list(meeting.addenda.select_related("author")),
        "moves": list(meeting.moves.select_related("moved_by")),
        # People invited by name (parents, the child, advocates, professionals):
        # part of the meeting's record, for everyone who sees the meeting.
        "attendees": list(meeting.attendees.select_related("agency")),
    }


def _invitee_reports(own_agencies: set) -> Q:
    # An invitee reads the reports their author shared and their own agency's;
    # the rest (third-party information) only the chair and the lead agency.
    return Q(shared_with_invitees=True) | Q(agency_id__in=own_agencies)


def reports_visible_to(user: User, meetings: QuerySet[Meeting]) -> QuerySet[AgencyReport]:
    """The agency reports on ``meetings`` that ``user`` reads on their pages:
    every report where they have lead access, the invitee's share elsewhere."""
    seen = meetings_for(user).filter(pk__in=meetings.values("pk"))
    lead = seen.filter(_meeting_ids_with(user, VIEW_LEAD))
    return AgencyReport.objects.filter(meeting__in=seen.values("pk")).filter(
        Q(meeting__in=lead.values("pk")) | _invitee_reports(own_agency_ids(user))
    )


def meetings_for_case(user: User, case) -> QuerySet[Meeting]:
    return meetings_for(user).filter(subjects__case=case).distinct().order_by("-scheduled_at")


def _owed_by(user: User) -> Q:
    """Meetings where the user's agency was asked for a report and has not sent it.

    Asked of each meeting by its own invitations and reports (the meeting
    index), as a scalar subquery: PostgreSQL may turn an ``IN`` or ``EXISTS``
    into one hash of every invitation the agency was ever asked about, and
    did, for the police (asked to every strategy discussion: 110,000 at a
    county's scale, 32 ms of a "My work" page that walks a few hundred open
    meetings), its prepared statement's estimate being a quarter of that."""
    mine = agencies_where(user, roles=CASE_WORKING_ROLES).values("pk")
    asked = MeetingInvitation.objects.filter(
        meeting=OuterRef("pk"), agency_id__in=mine, report_requested=True
    )
    sent = AgencyReport.objects.filter(meeting=OuterRef("pk"), agency_id__in=mine)
    return Q(IsNull(Subquery(asked.values("pk")[:1]), False)) & Q(
        IsNull(Subquery(sent.values("pk")[:1]), True)
    )


@dataclass(frozen=True)
class MyMeetings:
    upcoming: list[Meeting]
    reports_due: list[Meeting]
    to_write_up: list[Meeting]

    def all(self) -> list[Meeting]:
        return [*self.upcoming, *self.reports_due, *self.to_write_up]


MY_MEETINGS_READ = 60
MY_MEETINGS_SHOWN = 10


def my_meetings_for(user: User) -> MyMeetings:
    """The open meetings "My work" lists, in one query: those to come, those
    whose report the user's agency owes, and those the user chaired that have
    been held but whose record is not finalised (theirs to write up). Each
    carries its first child's name and case reference and how many children
    it covers, so the lists name the child without a query per meeting. The
    statement is compiled once per process (``safeguard.core.compiled``)."""
    if not user.is_authenticated or not user.is_active:
        return MyMeetings(upcoming=[], reports_due=[], to_write_up=[])
    now = timezone.now()
    values: dict[str, Any] = {"person": user, "now": now}
    # Someone who sees few meetings (a health trust's 1,150 of a county's
    # 110,000) has them fetched by id: walking the county's open meetings in
    # date order probed the grants of all 3,750 to find their seven (30 ms).
    few = meeting_ids_if_few(user)
    if few is not None:
        values["few"] = few
    key = ("my_meetings_for", tuple(sorted(values)))
    rows = compiled_objects(key, _my_meetings, **values)
    shown = MY_MEETINGS_SHOWN
    return MyMeetings(
        upcoming=[m for m in rows if m.scheduled_at >= now][:shown],
        reports_due=sorted(
            (m for m in rows if m.is_owed),
            key=lambda m: (m.report_due_on is None, m.report_due_on, m.scheduled_at),
        )[:shown],
        to_write_up=[m for m in rows if m.chair_id == user.pk and m.scheduled_at < now][:shown],
    )


def _my_meetings(person: AbstractBaseUser, now: dt.datetime, **values: Any) -> QuerySet[Meeting]:
    owed = _owed_by(person)
    write_up = Q(chair=person, scheduled_at__lt=now)
    first = MeetingCase.objects.filter(meeting=OuterRef("pk")).order_by("case__reference")
    mine = meetings_for(person)
    if "few" in values:
        mine = mine.filter(one_of(values["few"]))
    return (
        mine.filter(finalised_at__isnull=True, cancelled_at__isnull=True)
        .filter(Q(scheduled_at__gte=now) | write_up | owed)
        .annotate(
            is_owed=ExpressionWrapper(owed, output_field=BooleanField()),
            child_name=Subquery(
                first.annotate(
                    name=Concat(
                        "case__child__first_name",
                        Value(" "),
                        "case__child__last_name",
                        output_field=CharField(),
                    )
                ).values("name")[:1]
            ),
            case_reference=Subquery(first.values("case__reference")[:1]),
            children=Subquery(
                MeetingCase.objects.filter(meeting=OuterRef("pk"))
                .order_by()
                .values("meeting")
                .annotate(n=Count("id"))
                .values("n")[:1]
            ),
        )
        .order_by("scheduled_at", "id")[:MY_MEETINGS_READ]
    )


# Who may be invited ----------------------------------------------------------------
#
# Inviting an agency makes it involved in the children's cases: it then reads
# their records. So the agencies already on a case are offered first; any other
# needs a reason, given on a page that says what it shares; and one of another
# local authority also needs a manager of the lead agency, who answers for
# sharing a child's record across authorities (UK GDPR art. 5(1)(f) and 24;
# Working Together 2023, ch. 1, information sharing). ``services`` enforces
# these rules on every path; the pages and the API only ask in advance.


def local_authority_key(agency: Agency) -> tuple[str, str] | None:
    """Which local authority an agency belongs to, for comparing two agencies.

    Its DfE LA code if it has one; otherwise its front door's (the local
    authority it sends concerns to, itself for a children's services); where no
    code was entered, that front door itself. ``None``: nobody has said, which
    is never treated as "ours".
    """
    if agency.la_code:
        return ("la_code", agency.la_code)
    front_door = agency if agency.is_lead_agency else agency.default_lead_agency
    if front_door is None:
        return None
    if front_door.la_code:
        return ("la_code", front_door.la_code)
    return ("agency", str(front_door.pk))


def same_local_authority(agency: Agency, lead_agency: Agency) -> bool:
    key = local_authority_key(agency)
    return key is not None and key == local_authority_key(lead_agency)


def _case_ids(cases: Meeting | Sequence[Case]) -> list:
    if isinstance(cases, Meeting):
        return list(cases.subjects.values_list("case_id", flat=True))
    return [c.pk for c in cases]


def agencies_on_the_case(cases: Meeting | Sequence[Case]) -> QuerySet[Agency]:
    """Agencies with a current involvement in one of the cases (a sibling group's
    meeting is one meeting about the household), the lead agency aside."""
    case_ids = _case_ids(cases)
    involved = Involvement.objects.filter(case_id__in=case_ids, ended_at__isnull=True)
    lead = Case.objects.filter(pk__in=case_ids).values("lead_agency_id")
    return (
        Agency.objects.filter(is_active=True, pk__in=involved.values("agency_id"))
        .exclude(pk__in=lead)
        .order_by("name")
    )


def agencies_beyond_the_case(
    cases: Meeting | Sequence[Case], *, name: str, limit: int = 20
) -> list[Agency]:
    """Active agencies not involved in the cases whose name contains ``name``:
    found only by searching, never listed whole."""
    name = name.strip()
    if len(name) < 2:
        return []
    case_ids = _case_ids(cases)
    involved = Involvement.objects.filter(case_id__in=case_ids, ended_at__isnull=True)
    lead = Case.objects.filter(pk__in=case_ids).values("lead_agency_id")
    return list(
        Agency.objects.filter(is_active=True, name__icontains=name)
        .exclude(pk__in=involved.values("agency_id"))
        .exclude(pk__in=lead)
        .select_related("default_lead_agency")
        .order_by("name")[:limit]
    )


def is_manager_of(user: User, agency: Agency) -> bool:
    return has_role(user, [Role.MANAGER], agency=agency)


@dataclass(frozen=True)
class InviteRules:
    """What inviting ``agency`` to a meeting led by ``lead_agency`` asks of ``user``."""

    agency: Agency
    lead_agency: Agency
    on_the_case: bool
    same_authority: bool
    user_is_lead_manager: bool

    @property
    def needs_reason(self) -> bool:
        return not self.on_the_case

    @property
    def needs_manager(self) -> bool:
        """A manager must authorise it, and the user is not one."""
        return not self.same_authority and not self.user_is_lead_manager


def invite_rules(
    user: User, cases: Meeting | Sequence[Case], lead_agency: Agency, agency: Agency
) -> InviteRules:
    return InviteRules(
        agency=agency,
        lead_agency=lead_agency,
        on_the_case=agency.pk == lead_agency.pk
        or agencies_on_the_case(cases).filter(pk=agency.pk).exists(),
        same_authority=same_local_authority(agency, lead_agency),
        user_is_lead_manager=is_manager_of(user, lead_agency),
    )


def pending_requests_for(meeting: Meeting) -> list[InvitationRequest]:
    """Invitations waiting for a manager; shown to whoever sees the meeting at
    the lead agency's level (the caller checks)."""
    return list(
        meeting.invitation_requests.filter(status=InvitationRequest.Status.PENDING)
        .select_related("agency", "requested_by")
        .order_by("requested_at")
    )
