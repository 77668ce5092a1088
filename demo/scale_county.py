"""A county's cases, by the application's rules, for ``seed_scale`` (PostgreSQL).

``demo/scale_children.py`` makes the children; this gives every one of them a
case and builds around the cases what the application would have recorded:

- the lead agency's involvement in every case, and other agencies' involvements
  (health in about 1 case in 100, the police in 1 in 5 with half of those
  ended, the neighbouring authority in 1 in 1,000, a school in 1 in 10,000), so
  that at a million children the lead authority's social worker sees about a
  million cases, the police about a hundred thousand (issue 15's third size of
  caseload: a police safeguarding unit's), health about ten thousand and the
  school about a hundred;
- one case in five open, most allocated to one of the lead agency's social
  workers (one for every 5,000 children, in its teams in turn); one in a
  thousand restricted, with its manager (and for half of them the demo social
  worker) named on it;
- concerns: one from each agency involved because of a concern, one logged at
  the lead's front door for three cases in ten, all decided, and one in two
  thousand still waiting at the front door;
- meetings (strategy discussions) on two cases in a hundred, chaired by the
  lead's chair, with the involved agencies and the police invited (the
  police's invitation is not access where it is not involved) and health's
  practitioner invited by name;
- the chronology entries and audit rows those acts write;
- unless ``work`` is false, the statutory work on every case, and the
  conferences and core groups that follow the strategy discussions
  (``demo/scale_work.py``); one open case in eight is left unallocated.

The guardian grants are not invented alongside: they are derived in SQL from
the rows above by the same rules as ``cases.access.desired_group_grants`` /
``desired_user_grants``, ``meetings.grants`` and the concern service, and a
test (tests/demo/test_seed_scale.py) checks every case and meeting against
those functions. Audit rows are hashed as ``AuditEvent.save`` does and sealed
as ``audit_seal`` does, continuing the chain, so ``verify_audit`` passes.

Speed: every table is filled with one ``INSERT ... SELECT`` (audit rows with
``COPY``) while its secondary indexes, unique constraints and foreign keys are
dropped; they are put back, and so checked, once at the end, in the same
transaction. What is random is drawn from an MD5 of the child's id, so the
same children give the same county.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import connection, transaction

from agencies.models import Agency, Team
from agencies.roles import Role
from agencies.services import membership_add, role_group
from cases.models import (
    Case,
    CaseGroupObjectPermission,
    CaseUserObjectPermission,
    Child,
    ChronologyEntry,
    Concern,
    ConcernGroupObjectPermission,
    ConcernUserObjectPermission,
    Involvement,
    InvolvementReason,
    NamedAccess,
)
from demo.data import EASTFIELD, HEALTH, HILLSIDE, POLICE
from demo.scale_audit import audit_rows
from demo.scale_grants import case_grants, concern_grants, meeting_grants
from demo.scale_meetings import strategy_and_conferences
from demo.scale_sql import drop_constraints_and_indexes, insert_select, uuid_literal
from demo.scale_work import WORK_TABLES, plan_work, work_chronology, work_rows
from meetings.models import (
    Meeting,
    MeetingCase,
    MeetingGroupObjectPermission,
    MeetingInvitation,
    MeetingUserObjectPermission,
)
from oversight import caseloads as open_case_counts
from oversight.caseloads import OPEN_CASE_TRIGGER
from safeguard.audit.models import AuditEvent
from safeguard.audit.services import audit_seal

CHILDREN_PER_WORKER = 5_000
TABLES = [
    Case,
    Involvement,
    InvolvementReason,
    NamedAccess,
    CaseGroupObjectPermission,
    CaseUserObjectPermission,
    Concern,
    ConcernGroupObjectPermission,
    ConcernUserObjectPermission,
    Meeting,
    MeetingCase,
    MeetingInvitation,
    MeetingGroupObjectPermission,
    MeetingUserObjectPermission,
    ChronologyEntry,
    AuditEvent,
    *WORK_TABLES,
]


# The first children of a run, by place: (draw -> value). Restricted (0, 1; the
# second also has a meeting, health involved and the demo social worker named);
# meetings with health (2), with the police's involvement ended (3), with the
# school (4) and the neighbouring authority (5); a concern at the front door (6);
# the long case, open five years with health involved (7: demo.scale_work
# makes its chronology 1,000 entries long).
LONG_CASE = 7
SHOWCASE: dict[int, dict[str, int]] = {
    0: {"r_restricted": 0, "r_worker": 1},
    1: {"r_restricted": 1, "r_meeting": 0, "r_involved": 0, "r_worker": 0, "r_status": 0},
    2: {"r_meeting": 0, "r_involved": 1, "r_restricted": 100},
    3: {"r_meeting": 0, "r_involved": 300, "r_status": 1, "r_restricted": 100},
    4: {"r_meeting": 0, "r_involved": 100, "r_restricted": 100},
    5: {"r_meeting": 0, "r_involved": 200, "r_restricted": 100},
    6: {"r_restricted": 5000},
    LONG_CASE: {"r_status": 0, "r_involved": 2, "r_restricted": 100, "r_days": 1790},
}
# Open cases waiting for a worker: 1 in 8 (the oversight dashboard's unallocated work).
UNALLOCATED_IN_100 = 12


@dataclass
class County:
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    def __str__(self) -> str:
        rows = ", ".join(f"{n:,} {k}" for k, n in self.counts.items())
        times = ", ".join(f"{k} {v:.1f} s" for k, v in self.seconds.items())
        return f"{rows} ({times})"


@dataclass(frozen=True)
class Cast:
    """The agencies and the people who act in the county."""

    lead: Agency
    health: Agency
    police: Agency
    school: Agency
    neighbour: Agency
    users: dict[str, int]  # "<role>@<agency-slug>" -> user id
    workers: list[int]
    teams: list[int | None]  # each worker's team (the lead's teams in turn), as ``workers``


def build_county(
    *,
    lead: Agency,
    child_reference_prefix: str,
    seed: int = 2026,
    work: bool = True,
    progress: Callable[[str], None] | None = None,
) -> County:
    """Give every child of ``lead`` whose reference starts with
    ``child_reference_prefix`` and who has no case yet a case, and everything
    around it (module docstring); with ``work``, the statutory work too
    (``demo.scale_work``). One transaction; PostgreSQL only."""
    if connection.vendor != "postgresql":
        raise NotImplementedError("seed_scale builds cases on PostgreSQL only")
    county = County()
    started = time.perf_counter()

    def step(name: str) -> None:
        county.seconds[name] = time.perf_counter() - started - sum(county.seconds.values())
        if progress:
            progress(f"{name}: {county.seconds[name]:.1f} s")

    with transaction.atomic():
        cast = _cast(lead)
        step("staff")
        with connection.cursor() as cursor:
            # Check the staff rows' deferred foreign keys now: PostgreSQL alters
            # no table with trigger events pending.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            cursor.execute("SET LOCAL work_mem = '64MB'")
            _plan(cursor, cast, child_reference_prefix, seed)
            step("plan")
            if work:
                plan_work(cursor, cast.workers)
                step("work plan")
            dropped = drop_constraints_and_indexes(cursor, [m._meta.db_table for m in TABLES])
            step("drop indexes")
            # A million cases written at once: the open-case counts
            # (oversight.caseloads) are counted once at the end, not appended
            # to a million times by the trigger.
            cursor.execute(f"ALTER TABLE cases_case DISABLE TRIGGER {OPEN_CASE_TRIGGER}")
            _cases(cursor, cast, seed)
            cursor.execute(f"ALTER TABLE cases_case ENABLE TRIGGER {OPEN_CASE_TRIGGER}")
            open_case_counts.rebuild(cursor)
            step("cases")
            _concerns(cursor, cast, seed)
            step("concerns")
            strategy_and_conferences(
                cursor,
                tag=f"S{seed % 100:02d}",
                lead_id=cast.lead.pk,
                chair=_user(cast, Role.CHAIR, cast.lead),
                scheduler=_user(cast, Role.SOCIAL_WORKER, cast.lead),
                police_id=cast.police.pk,
                health_id=cast.health.pk,
                health_practitioner=_user(cast, Role.PRACTITIONER, cast.health),
                work=work,
            )
            step("meetings")
            if work:
                county.counts.update(work_rows(cursor, _user(cast, Role.MANAGER, cast.lead)))
                step("statutory work")
            case_grants(cursor)
            meeting_grants(cursor)
            concern_grants(cursor, cast.lead)
            step("grants")
            _chronology(cursor, cast)
            step("chronology")
            if work:
                work_chronology(cursor, cast.lead.pk, LONG_CASE)
                step("work chronology")
            county.counts["audit rows"] = audit_rows(cursor, set(cast.users.values()))
            step("audit")
            for sql in dropped:
                cursor.execute(sql)
            step("indexes and constraints")
            for model, label in [
                (Case, "cases"),
                (Involvement, "involvements"),
                (NamedAccess, "named"),
                (CaseGroupObjectPermission, "case group grants"),
                (CaseUserObjectPermission, "case user grants"),
                (Concern, "concerns"),
                (Meeting, "meetings"),
                (MeetingInvitation, "invitations"),
                (ChronologyEntry, "chronology entries"),
            ]:
                cursor.execute(f"SELECT count(*) FROM {model._meta.db_table}")  # noqa: S608
                county.counts[label] = cursor.fetchone()[0]
    # Rows written while seeding the staff (and any other unsealed ones) follow
    # ours in the chain: its order is the order of sealing, not of ids. Then a
    # signed checkpoint of the new head.
    audit_seal(force_checkpoint=True)
    with connection.cursor() as cursor:
        # The whole database: the small tables the grants join (permissions,
        # content types, role groups) have never been analysed in a fresh
        # database, and without their statistics PostgreSQL plans the access
        # queries as nested loops over every grant (50x slower at 3,000 cases).
        # VACUUM too, as autovacuum would in a live county: a million rows
        # written at once leave the visibility map empty, so no index-only scan
        # (the dashboard's caseloads read 178,000 heap rows: 184 ms, not 52).
        # Not inside a transaction (a test's), where PostgreSQL refuses it.
        cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)")
    step("analyze")
    county.seconds["total"] = time.perf_counter() - started
    return county


# The cast -------------------------------------------------------------------------


def _cast(lead: Agency) -> Cast:
    agencies = {
        a.slug: a for a in Agency.objects.filter(slug__in=[HEALTH, POLICE, HILLSIDE, EASTFIELD])
    }
    missing = {HEALTH, POLICE, HILLSIDE, EASTFIELD} - agencies.keys()
    if missing:
        raise LookupError(f"run seed_demo first: no agencies {sorted(missing)}")
    User = get_user_model()
    users = dict(User.objects.filter(username__contains="@").values_list("username", "id"))
    for slug in [lead.slug, *agencies]:
        for role in Role:
            role_group(agency=Agency.objects.get(slug=slug), role=role)
    children = Child.objects.filter(lead_agency=lead).count()
    wanted = max(2, children // CHILDREN_PER_WORKER)
    # The lead's teams (seed_demo's assessment and child protection teams) take
    # the workers in turn, so allocated cases have a team as ``case_allocate`` gives.
    teams = list(Team.objects.filter(agency=lead).order_by("name"))
    workers, worker_teams = [], []
    for k in range(1, wanted + 1):
        username = f"social_worker.{k:04d}@{lead.slug}"
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": "Worker",
                "last_name": f"{k:04d}",
                "email": f"social_worker.{k:04d}.{lead.slug}@example.org",
            },
        )
        if created:
            user.set_unusable_password()  # staff for the numbers; sign in as the demo users
            user.save(update_fields=["password"])
            membership_add(acting_user=None, user=user, agency=lead, role=Role.SOCIAL_WORKER)
        workers.append(user.pk)
        team = teams[(k - 1) % len(teams)] if teams else None
        if team is not None:
            team.members.add(user)
        worker_teams.append(team.pk if team else None)
    return Cast(
        lead=lead,
        health=agencies[HEALTH],
        police=agencies[POLICE],
        school=agencies[HILLSIDE],
        neighbour=agencies[EASTFIELD],
        users=users,
        workers=workers,
        teams=worker_teams,
    )


def _user(cast: Cast, role: str, agency: Agency) -> int:
    return cast.users[f"{role}@{agency.slug}"]


# The plan: one row per new case, with its draws -----------------------------------


def _plan(cursor, cast: Cast, prefix: str, seed: int) -> None:
    # h: 60 random bits from the child's id; each draw takes its own digits.
    cursor.execute(
        """
        CREATE TEMP TABLE scale_draws ON COMMIT DROP AS
        SELECT c.id AS child_id, c.reference AS child_reference,
               right(c.reference, 8)::bigint AS n, c.first_name, c.last_name,
               c.date_of_birth, c.address, c.postcode, c.school, c.nhs_number, c.upn,
               md5('case:' || c.id::text)::uuid AS case_id, h,
               mod(h, 10000) AS r_involved, mod(h / 10000, 100) AS r_status,
               mod(h / 1000000, 10000) AS r_restricted, mod(h / 10000000000, 100) AS r_meeting,
               mod(h / 1000000000000, 100) AS r_concern,
               mod(h / 100000000000000, 1000) AS r_worker,
               mod(h / 7, 1800) AS r_days, mod(h / 11, 1440) AS r_minutes
        FROM cases_child c,
             LATERAL (SELECT ('x' || substr(md5(%s || ':' || c.id::text), 1, 15))::bit(60)::bigint
                      AS h) d
        WHERE c.lead_agency_id = %s AND c.reference LIKE %s
          AND NOT EXISTS (SELECT 1 FROM cases_case k WHERE k.child_id = c.id)
        """,
        [str(seed), cast.lead.pk, prefix.replace("%", "") + "%"],
    )
    # Every kind of case at any size: the first children of the run (by
    # reference) get one each, whatever their draws said.
    for n, draws in SHOWCASE.items():
        cursor.execute(
            f"UPDATE scale_draws SET {', '.join(f'{k} = {v}' for k, v in draws.items())} "  # noqa: S608 - our own SQL
            "WHERE n = (SELECT min(n) FROM scale_draws) + %s",
            [n],
        )
    workers = cast.workers
    cursor.execute(
        """
        CREATE TEMP TABLE scale_plan ON COMMIT DROP AS
        SELECT d.*, d.r_status < 20 AS is_open, d.r_restricted < 10 AS is_restricted,
               o.opened_at,
               -- A closure that would fall in the future happened yesterday, at
               -- the case's own minute: one instant for all of them gave 98,350
               -- cases the same updated_at, as no county has.
               CASE WHEN d.r_status >= 20 THEN LEAST(o.opened_at + make_interval(
                   days => 30 + mod(d.h / 13, 300)::int),
                   now() - interval '1 day' - make_interval(mins => d.r_minutes::int)) END
                   AS closed_at,
               CASE WHEN d.r_status < 20 AND mod(d.h / 17, 100) >= %s
                   THEN (%s::int[])[1 + mod(d.r_worker, %s)] END AS worker_id,
               %s AS opened_by_id
        FROM scale_draws d, LATERAL (SELECT now() - make_interval(
            -- never before the child was born (census rule 8606)
            days => LEAST(d.r_days, GREATEST(current_date - d.date_of_birth - 3, 0))::int + 2,
            mins => d.r_minutes::int) AS opened_at) o
        """,
        [UNALLOCATED_IN_100, workers, len(workers), _user(cast, Role.SOCIAL_WORKER, cast.lead)],
    )
    cursor.execute("DROP TABLE scale_draws")
    cursor.execute("CREATE INDEX ON scale_plan (case_id)")
    cursor.execute("ANALYZE scale_plan")


# Cases, involvements, named access -------------------------------------------------


def _cases(cursor, cast: Cast, seed: int) -> None:
    tag = f"S{seed % 100:02d}"
    insert_select(
        cursor,
        Case,
        {
            "id": "case_id",
            "reference": f"'CAS-{tag}-' || lpad(n::text, 8, '0')",
            "child_id": "child_id",
            "lead_agency_id": uuid_literal(cast.lead.pk),
            "status": "CASE WHEN is_open THEN 'open' ELSE 'closed' END",
            "opened_at": "opened_at",
            "opened_by_id": "opened_by_id",
            "closed_at": "closed_at",
            "allocated_worker_id": "worker_id",
            "team_id": _worker_team(cast),
            "is_restricted": "is_restricted",
            "restricted_at": "CASE WHEN is_restricted THEN opened_at + interval '1 day' END",
            "restriction_reason": "CASE WHEN is_restricted THEN "
            "'A member of staff''s family: named people only.' ELSE '' END",
            "restriction_review_due": "CASE WHEN is_restricted THEN "
            "(opened_at + interval '180 days')::date END",
            "created_at": "opened_at",
            "updated_at": "COALESCE(closed_at, opened_at)",
        },
        "FROM scale_plan",
    )
    # The agencies' involvements: (agency, which draws, reason, ended?).
    involved = [
        (cast.health, "r_involved < 100", "concern", "false"),
        (cast.police, "r_involved BETWEEN 300 AND 2299", "concern", "mod(r_status, 2) = 1"),
        (cast.neighbour, "r_involved BETWEEN 200 AND 209", "added", "false"),
        (cast.school, "r_involved = 100", "concern", "false"),
    ]
    selects = [
        "SELECT case_id, %s::uuid AS agency_id, 'lead' AS level, 'lead_agency' AS reason, "
        "opened_at AS started_at, NULL::timestamptz AS ended_at, opened_by_id AS by_id "
        "FROM scale_plan"
    ]
    params: list = [cast.lead.pk]
    for agency, where, reason, ended in involved:
        selects.append(
            f"SELECT case_id, %s::uuid, 'involved', '{reason}', opened_at + interval '1 hour', "  # noqa: S608 - our own SQL
            f"CASE WHEN {ended} THEN opened_at + interval '20 days' END, opened_by_id "
            f"FROM scale_plan WHERE {where}"
        )
        params.append(agency.pk)
    cursor.execute(
        "CREATE TEMP TABLE scale_involvement ON COMMIT DROP AS " + " UNION ALL ".join(selects),
        params,
    )
    insert_select(
        cursor,
        Involvement,
        {
            "id": "md5('involvement:' || case_id::text || agency_id::text)::uuid",
            "case_id": "case_id",
            "agency_id": "agency_id",
            "level": "level",
            "reason": "reason",
            "started_at": "started_at",
            "started_by_id": "by_id",
            "ended_at": "ended_at",
            "ended_by_id": "CASE WHEN ended_at IS NOT NULL THEN by_id END",
        },
        "FROM scale_involvement",
    )
    # Each involvement's one reason, as ``involvement_start`` writes it.
    insert_select(
        cursor,
        InvolvementReason,
        {
            "id": "md5('involvement-reason:' || case_id::text || agency_id::text)::uuid",
            "involvement_id": "md5('involvement:' || case_id::text || agency_id::text)::uuid",
            "reason": "reason",
            "added_at": "started_at",
            "added_by_id": "by_id",
            "ended_at": "ended_at",
        },
        "FROM scale_involvement",
    )
    # Named on a restricted case: its manager, and for half of them the demo social worker.
    manager = _user(cast, Role.MANAGER, cast.lead)
    social_worker = _user(cast, Role.SOCIAL_WORKER, cast.lead)
    insert_select(
        cursor,
        NamedAccess,
        {"case_id": "case_id", "user_id": "u", "added_by_id": str(manager), "added_at": "at"},
        "FROM (SELECT case_id, %s AS u, opened_at + interval '1 day' AS at "
        "FROM scale_plan WHERE is_restricted UNION ALL "
        "SELECT case_id, %s, opened_at + interval '1 day' FROM scale_plan "
        "WHERE is_restricted AND mod(r_worker, 2) = 0) named",
        [manager, social_worker],
    )


def _worker_team(cast: Cast) -> str:
    """SQL: the team of the case's worker (``worker_id``), none when unallocated."""
    pairs = [(w, t) for w, t in zip(cast.workers, cast.teams, strict=True) if t is not None]
    if not pairs:
        return "NULL::uuid"
    return (
        "CASE worker_id "
        + " ".join(f"WHEN {int(w)} THEN {uuid_literal(t)}" for w, t in pairs)
        + " END"
    )


# Concerns -------------------------------------------------------------------------


def _concerns(cursor, cast: Cast, seed: int) -> None:
    """Decided concerns behind the cases, and a few still at the front door."""
    tag = f"S{seed % 100:02d}"
    letters = {cast.health.pk: "H", cast.police.pk: "P", cast.school.pk: "E"}
    practitioner = {
        pk: _user(cast, Role.PRACTITIONER, a)
        for a in (cast.health, cast.police, cast.school, cast.lead)
        for pk in [a.pk]
    }
    cursor.execute(
        f"""
        CREATE TEMP TABLE scale_concern ON COMMIT DROP AS
        SELECT p.*, i.agency_id AS reporting_id,
               'CON-{tag}-' || lpad(p.n::text, 8, '0') ||
                 (CASE i.agency_id {" ".join(f"WHEN '{k}' THEN '{v}'" for k, v in letters.items())}
                  END) AS reference,
               (CASE i.agency_id {" ".join(f"WHEN '{k}' THEN {v}" for k, v in practitioner.items())}
                END) AS reporter_id,
               'completed' AS status, true AS decided
        FROM scale_plan p JOIN scale_involvement i ON i.case_id = p.case_id AND i.reason = 'concern'
        UNION ALL
        SELECT p.*, %s::uuid, 'CON-{tag}-' || lpad(p.n::text, 8, '0') || 'L', %s, 'completed', true
        FROM scale_plan p WHERE r_concern < 30
        UNION ALL
        SELECT p.*, %s::uuid, 'CON-{tag}-' || lpad(p.n::text, 8, '0') || 'Q', %s, 'submitted', false
        FROM scale_plan p WHERE r_restricted BETWEEN 5000 AND 5004
        """,  # noqa: S608 - our own SQL, no input in it
        [
            cast.lead.pk,
            practitioner[cast.lead.pk],
            cast.police.pk,
            practitioner[cast.police.pk],
        ],
    )
    cursor.execute(
        """
        UPDATE cases_involvement v SET source_reference = c.reference
        FROM scale_concern c WHERE v.case_id = c.case_id AND v.agency_id = c.reporting_id
          AND v.reason = 'concern'
        """
    )
    cursor.execute(
        """
        UPDATE cases_involvementreason r SET source_reference = v.source_reference
        FROM cases_involvement v, scale_concern c
        WHERE r.involvement_id = v.id AND v.case_id = c.case_id AND v.reason = 'concern'
        """
    )
    manager = _user(cast, Role.MANAGER, cast.lead)
    # A decided concern came in the day before its case opened; one still at
    # the front door came in during the last day.
    submitted = (
        "CASE WHEN decided THEN opened_at - interval '1 day' "
        "ELSE now() - make_interval(mins => r_minutes::int) END"
    )
    insert_select(
        cursor,
        Concern,
        {
            "id": "md5('concern:' || reference)::uuid",
            "reference": "reference",
            "status": "status",
            "reported_by_id": "reporter_id",
            "reporting_agency_id": "reporting_id",
            "lead_agency_id": uuid_literal(cast.lead.pk),
            "child_first_name": "first_name",
            "child_last_name": "last_name",
            "child_date_of_birth": "date_of_birth",
            "child_address": "address",
            "child_postcode": "postcode",
            "child_school": "school",
            "child_nhs_number": "nhs_number",
            "child_upn": "upn",
            "account": "'What was seen and heard, as the reporter told it.'",
            "observed_on": f"({submitted})::date",
            "categories": """'["neglect"]'::jsonb""",
            "family_aware": "'not_known'",
            "sharing_basis": "'no_consent_harm'",
            "submitted_at": submitted,
            "decision_due_at": f"{submitted} + interval '1 day'",
            "child_id": "CASE WHEN decided THEN child_id END",
            "case_id": "CASE WHEN decided THEN case_id END",
            "decision": "CASE WHEN decided THEN 'assessment' ELSE '' END",
            "decision_reason": "CASE WHEN decided THEN 'Needs an assessment.' ELSE '' END",
            "decided_by_id": f"CASE WHEN decided THEN {manager} END",
            "decided_at": "CASE WHEN decided THEN opened_at - interval '2 hours' END",
            "authorised_by_id": f"CASE WHEN decided THEN {manager} END",
            "authorised_at": "CASE WHEN decided THEN opened_at - interval '1 hour' END",
            "created_at": submitted,
            "updated_at": "opened_at",
        },
        "FROM scale_concern",
    )


# Meetings -------------------------------------------------------------------------


# Chronology ----------------------------------------------------------------------


def _chronology(cursor, cast: Cast) -> None:
    """What ``case_open``, allocation, triage and scheduling write on the timeline."""
    insert_select(
        cursor,
        ChronologyEntry,
        {
            "id": "md5('chronology:' || case_id::text || kind || source_reference)::uuid",
            "case_id": "case_id",
            "occurred_at": "at",
            "agency_id": "agency_id",
            "kind": "kind",
            "title": "title",
            "body": "body",
            "source_reference": "source_reference",
            "created_by_id": "by_id",
            "created_at": "at",
        },
        """FROM (
            SELECT case_id, opened_at AS at, %s::uuid AS agency_id, 'case_opened' AS kind,
                   'Case opened' AS title, '' AS body, '' AS source_reference, opened_by_id AS by_id
            FROM scale_plan
            UNION ALL
            SELECT case_id, closed_at, %s::uuid, 'case_closed', 'Case closed', '', '', opened_by_id
            FROM scale_plan WHERE closed_at IS NOT NULL
            UNION ALL
            SELECT case_id, opened_at + interval '1 minute', %s::uuid, 'allocation',
                   'Allocated to a social worker', '', '', opened_by_id
            FROM scale_plan WHERE worker_id IS NOT NULL
            UNION ALL
            SELECT c.case_id, c.opened_at - interval '1 day', c.reporting_id, 'concern',
                   'Concern logged by ' || a.name, '', c.reference, c.reporter_id
            FROM scale_concern c JOIN agencies_agency a ON a.id = c.reporting_id
            WHERE c.decided
            UNION ALL
            SELECT s.case_id, s.at, %s::uuid, 'meeting', CASE s.kind
                   WHEN 'strategy' THEN 'Strategy discussion'
                   WHEN 'icpc' THEN 'Initial child protection conference'
                   WHEN 'rcpc' THEN 'Review child protection conference'
                   ELSE 'Core group meeting' END, '', m.reference, m.chair_id
            FROM scale_meeting s JOIN cases_meeting m ON m.id = s.meeting_id
        ) entries""",
        [cast.lead.pk, cast.lead.pk, cast.lead.pk, cast.lead.pk],
    )
