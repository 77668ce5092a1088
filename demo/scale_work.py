"""The statutory work on ``seed_scale``'s cases, by the application's rules
(PostgreSQL): what search, the oversight dashboard and the CIN census read.

Every case gets what a front-door decision of "assessment" starts
(``cases.services.statutory.open_episode_from_concern``): an episode (the
census's referral) and a child and family assessment due 45 working days after
the referral. Then, drawn per case:

- the assessment completed within 45 working days (about 65 in 100), late (20)
  or slowly (15: still open on a recent case), and authorised a few days after;
  the episode's primary need set when it completes;
- on a case with a strategy discussion (2 in 100; ``demo.scale_county``) a
  section 47 enquiry started that day and linked to it; in 55 of 100 an initial
  child protection conference, within 15 working days of the discussion or
  (1 in 5) late with its reason, which concludes the enquiry; the others end
  with a child in need plan or "not substantiated";
- a conference's child protection plan (85 in 100; otherwise a child in need
  plan): a first core group within 10 working days (or late), core groups about
  every six weeks, review conferences 3 months after the ICPC then every 6
  months (on time, or all of a plan's late), the plan ended by its 1st, 2nd or
  3rd review with a child in need plan stepping down after it (6 in 10), and
  statutory visits about every 10 working days (on time, or every 12-14 for 1
  plan in 5), some with the child not seen and why;
- a child in need plan after the assessment on 1 case in 4;
- closed cases closed with a reason the rules allow (``statutory_rules``):
  RC8 or RC9 "after assessment" only where nothing followed it and the case
  closed within a month of the assessment's authorisation, RC7 (or RC3, RC4)
  otherwise, and only when the work is done: a case on the section 47 route closes a week
  after its last step, or stays open when that is still to come.

Dates come from a working-day calendar built in Python by ``safeguard.workdays``
(bank holidays included), so "on time" means what the services and the
census's clocks say. Meetings (conferences and core groups) go into
``scale_meeting``, so their invitations, grants, chronology and audit rows are
made as the strategy discussions' are. The chronology gets what the services
write for each step (assessment completed, enquiry started and concluded, plans
started and ended, visits); statutory steps' own audit rows are not written
(only the meetings' are): at a million cases they would double the audit step.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from cases.models import (
    Assessment,
    ChronologyEntry,
    Episode,
    Plan,
    Section47Enquiry,
    StatutoryVisit,
)
from demo.scale_sql import insert_select, uuid_literal
from safeguard import workdays

WORK_TABLES = [Episode, Assessment, Section47Enquiry, Plan, StatutoryVisit]
# The first case of a run whose chronology holds this many entries (the bench's
# "case page with a 1,000-entry chronology"): a long case with a note a week or so.
LONG_CHRONOLOGY = 1_000
LOCAL = "'Europe/London'"
# A referral's source by who raised the concern (demo.census.referral_source_for).
SOURCE_BY_LETTER = {"H": "3A", "P": "6", "E": "2A"}
FRONT_DOOR_SOURCES = ["1A", "1B", "1C", "1D", "9", "5D", "4"]
NEEDS = ["N1", "N1", "N1", "N4", "N5", "N5", "N3", "N6", "N8", "N7", "N2"]
FACTORS = ['["3A","4B"]', '["2B"]', '["16A"]', '["14A"]', '["1B","3A"]', '["4B"]']
FACTOR_BY_CATEGORY = {
    "NEG": '["16A"]',
    "PHY": '["18C"]',
    "EMO": '["17A","3A"]',
    "SAB": '["19C"]',
    "MUL": '["16A","17A"]',
}
CATEGORIES = list(FACTOR_BY_CATEGORY)
FACTORS_OF_CATEGORY = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in FACTOR_BY_CATEGORY.items())
SOURCE_OF_LETTER = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in SOURCE_BY_LETTER.items())
CATEGORY_LABEL = " ".join(f"WHEN '{c.value}' THEN '{c.label}'" for c in Plan.Category)


def _array(values: list[str]) -> str:
    return "ARRAY[" + ", ".join(f"'{v}'" for v in values) + "]"


def _pick(values: list[str], draw: str) -> str:
    return f"({_array(values)})[1 + mod({draw}, {len(values)})::int]"


def _calendar(cursor, first: dt.date, last: dt.date) -> None:
    """``scale_day`` (every day, the working days up to it) and ``scale_wd``
    (the n-th working day), and pg_temp functions over them."""
    cursor.execute("CREATE TEMP TABLE scale_day (day date PRIMARY KEY, wd int) ON COMMIT DROP")
    cursor.execute("CREATE TEMP TABLE scale_wd (wd int PRIMARY KEY, day date) ON COMMIT DROP")
    days, working, count, day = [], [], 0, first
    while day <= last:
        if workdays.is_working_day(day):
            count += 1
            working.append((count, day))
        days.append((day, count))
        day += dt.timedelta(days=1)
    cursor.execute(
        "INSERT INTO scale_day SELECT * FROM unnest(%s::date[], %s::int[])",
        [[d for d, _ in days], [n for _, n in days]],
    )
    cursor.execute(
        "INSERT INTO scale_wd SELECT * FROM unnest(%s::int[], %s::date[])",
        [[n for n, _ in working], [d for _, d in working]],
    )
    cursor.execute("ANALYZE scale_day; ANALYZE scale_wd")
    # wd_add: ``workdays.add_working_days``; wd_on_or_before: a meeting's day,
    # moved back off a weekend or bank holiday; wd_between: ``working_days_between``.
    cursor.execute(
        """
        CREATE FUNCTION pg_temp.wd_add(d date, k int) RETURNS date LANGUAGE sql STABLE AS
        $$ SELECT w.day FROM scale_wd w WHERE w.wd = (SELECT s.wd FROM scale_day s
           WHERE s.day = d) + k $$;
        CREATE FUNCTION pg_temp.wd_on_or_before(d date) RETURNS date LANGUAGE sql STABLE AS
        $$ SELECT w.day FROM scale_wd w WHERE w.wd = (SELECT s.wd FROM scale_day s
           WHERE s.day = d) $$;
        CREATE FUNCTION pg_temp.wd_between(a date, b date) RETURNS int LANGUAGE sql STABLE AS
        $$ SELECT (SELECT wd FROM scale_day WHERE day = b) - (SELECT wd FROM scale_day
           WHERE day = a) $$;
        """
    )


def plan_work(cursor, workers: list[int]) -> None:
    """Decide each case's statutory work (``scale_work``, ``scale_review``,
    ``scale_core_group``, ``scale_visit``); a case on the section 47 route
    closes only after its work (``scale_plan`` is moved accordingly)."""
    today = timezone.localdate()
    _calendar(cursor, today - dt.timedelta(days=2100), today + dt.timedelta(days=800))
    # The section 47 route first: it decides when such a case may close.
    cursor.execute(
        f"""
        CREATE TEMP TABLE scale_s47 ON COMMIT DROP AS
        SELECT p.case_id, s.*, CASE WHEN s.outcome_draw < 55 THEN 'icpc'
                 WHEN s.outcome_draw < 80 THEN 'cin' ELSE 'not_substantiated' END AS route,
               pg_temp.wd_add(s.strategy_on, 15) AS icpc_due,
               pg_temp.wd_add(s.strategy_on, CASE WHEN s.late_draw < 20
                   THEN 16 + mod(s.h2 / 7, 8) ELSE 6 + mod(s.h2 / 7, 10) END::int) AS icpc_on,
               pg_temp.wd_add(s.strategy_on, 5 + mod(s.h2 / 11, 10)::int) AS outcome_on
        FROM scale_plan p, LATERAL (SELECT
            ((p.opened_at + interval '3 days') AT TIME ZONE {LOCAL})::date AS strategy_on,
            ('x' || substr(md5('s47:' || p.case_id::text), 1, 15))::bit(60)::bigint AS h2) d,
            LATERAL (SELECT d.strategy_on, d.h2, mod(d.h2, 100) AS outcome_draw,
                mod(d.h2 / 100, 100) AS late_draw, mod(d.h2 / 10000, 100) AS plan_draw,
                1 + mod(d.h2 / 1000000, 3)::int AS reviews,
                mod(d.h2 / 10000000, 100) < 20 AS reviews_late,
                mod(d.h2 / 1000000000, 100) < 20 AS visits_late,
                mod(d.h2 / 100000000000, 100) < 20 AS core_groups_late,
                mod(d.h2 / 10000000000000, 100) < 60 AS step_down,
                {_pick(CATEGORIES, "d.h2 / 1000000000000000")} AS category) s
        WHERE p.r_meeting < 2 AND p.opened_at + interval '3 days' < now()
        """  # noqa: S608 - our own SQL, no input in it
    )
    # One statement per execute where there are parameters: with server-side
    # binding (settings.py) such a statement cannot carry a second one.
    cursor.execute(
        """
        ALTER TABLE scale_s47 ADD COLUMN icpc_held boolean, ADD COLUMN plan_from_icpc boolean,
            ADD COLUMN s47_done date, ADD COLUMN cp_end date, ADD COLUMN cp_next_review date,
            ADD COLUMN cin_from date
        """
    )
    cursor.execute(
        """
        UPDATE scale_s47 SET icpc_held = route = 'icpc' AND icpc_on < %(today)s,
            plan_from_icpc = route = 'icpc' AND icpc_on < %(today)s AND plan_draw < 85,
            s47_done = CASE WHEN route = 'icpc' THEN
                CASE WHEN icpc_on < %(today)s THEN icpc_on END
                WHEN outcome_on < %(today)s THEN outcome_on END;
        """,
        {"today": today},
    )
    # Review conferences: 3 months after the ICPC, then 6 months after each
    # held review; the plan ends at its last (if held), else the next is due.
    cursor.execute(
        """
        CREATE TEMP TABLE scale_review ON COMMIT DROP AS
        WITH RECURSIVE review (case_id, k, due, held_on, reviews, late, h2) AS (
            SELECT case_id, 1, d.due, pg_temp.wd_on_or_before(d.due + CASE WHEN reviews_late
                       THEN 7 + mod(h2 / 3, 14) ELSE -mod(h2 / 3, 10) END::int),
                   reviews, reviews_late, h2
            FROM scale_s47, LATERAL (SELECT (icpc_on + interval '3 months')::date AS due) d
            WHERE plan_from_icpc
            UNION ALL
            SELECT r.case_id, r.k + 1, d.due, pg_temp.wd_on_or_before(d.due + CASE WHEN r.late
                       THEN 7 + mod(r.h2 / (3 + r.k), 14) ELSE -mod(r.h2 / (3 + r.k), 10)
                       END::int), r.reviews, r.late, r.h2
            FROM review r, LATERAL (SELECT (r.held_on + interval '6 months')::date AS due) d
            WHERE r.k < r.reviews AND r.held_on < %(today)s
        )
        SELECT case_id, k, due, held_on, held_on < %(today)s AS held,
               CASE WHEN held_on >= %(today)s THEN ''
                    WHEN k = reviews THEN 'end_plan' ELSE 'continue_plan' END AS decision
        FROM review
        """,
        {"today": today},
    )
    cursor.execute(
        """
        UPDATE scale_s47 s SET cp_end = r.held_on FROM scale_review r
        WHERE r.case_id = s.case_id AND r.decision = 'end_plan';
        UPDATE scale_s47 s SET cp_next_review = r.due FROM scale_review r
        WHERE r.case_id = s.case_id AND NOT r.held;
        UPDATE scale_s47 SET cin_from = CASE
            WHEN route = 'cin' THEN s47_done
            WHEN icpc_held AND NOT plan_from_icpc THEN icpc_on
            WHEN cp_end IS NOT NULL AND step_down THEN cp_end END;
        """
    )
    # A closed case on this route closes a week after its last step; one whose
    # work is still running (or would end too late) is open.
    cursor.execute(
        """
        CREATE TEMP TABLE scale_s47_close ON COMMIT DROP AS
        SELECT s.case_id, CASE WHEN s.s47_done IS NULL OR (s.plan_from_icpc AND s.cp_end IS NULL)
               THEN NULL ELSE GREATEST(s.s47_done, coalesce(s.cp_end, s.s47_done),
                   coalesce(s.cin_from, s.s47_done)) + 7 END AS close_on
        FROM scale_s47 s JOIN scale_plan p USING (case_id) WHERE NOT p.is_open
        """
    )
    cursor.execute(
        f"""
        UPDATE scale_plan p SET
            is_open = c.close_on IS NULL OR c.close_on >= %(today)s,
            closed_at = CASE WHEN c.close_on IS NULL OR c.close_on >= %(today)s THEN NULL
                ELSE GREATEST(p.closed_at, (c.close_on + time '15:00') AT TIME ZONE {LOCAL}) END,
            worker_id = CASE WHEN c.close_on IS NULL OR c.close_on >= %(today)s
                THEN (%(workers)s::int[])[1 + mod(p.r_worker, %(count)s)] END
        FROM scale_s47_close c WHERE c.case_id = p.case_id
          AND (c.close_on IS NULL OR c.close_on > (p.closed_at AT TIME ZONE {LOCAL})::date);
        """,  # noqa: S608 - our own SQL, no input in it
        {"today": today, "workers": workers, "count": len(workers)},
    )
    # Every case: its referral, assessment and (off the section 47 route) a
    # child in need plan after the assessment on 1 in 4; the closure's reason.
    cursor.execute(
        f"""
        CREATE TEMP TABLE scale_work ON COMMIT DROP AS
        SELECT w.*, CASE WHEN w.closed_on IS NULL THEN NULL
                    WHEN w.s47 OR w.cin_from IS NOT NULL
                         OR w.closed_on > w.authorised_on + 30 THEN
                        {_pick(["RC7", "RC7", "RC7", "RC3", "RC4"], "w.h3 / 100000")}
                    ELSE {_pick(["RC8", "RC8", "RC9"], "w.h3 / 100000")} END AS closure_reason
        FROM (
            SELECT a.*, CASE WHEN a.s47 THEN a.s47_cin_from
                 WHEN a.authorised_on IS NOT NULL AND mod(a.h3 / 1000, 100) < 25
                      AND (a.closed_on IS NULL OR a.authorised_on < a.closed_on - 7)
                 THEN a.authorised_on END AS cin_from
            FROM (
                SELECT t.*, CASE WHEN t.completed_on IS NULL THEN NULL
                            WHEN t.closed_on IS NOT NULL
                            THEN LEAST(t.completed_on + mod(t.h3 / 10, 4)::int, t.closed_on)
                            WHEN t.completed_on + mod(t.h3 / 10, 4)::int < %(today)s
                            THEN t.completed_on + mod(t.h3 / 10, 4)::int END AS authorised_on
                FROM (
                    SELECT b.*, CASE WHEN b.closed_on IS NOT NULL THEN GREATEST(b.started_on,
                                    LEAST(b.target_on, b.closed_on - 1))
                                WHEN b.target_on < %(today)s THEN b.target_on END AS completed_on
                    FROM (
                        SELECT p.case_id, p.n, p.child_id, p.date_of_birth, p.opened_at,
                               p.worker_id, p.opened_by_id,
                               (p.closed_at AT TIME ZONE {LOCAL})::date AS closed_on,
                               r.referral_on,
                               (p.opened_at AT TIME ZONE {LOCAL})::date AS started_on,
                               due.day AS due_on, target.day AS target_on,
                               h3, s.case_id IS NOT NULL AS s47, s.cin_from AS s47_cin_from,
                               s.category, s.route
                        FROM scale_plan p
                        LEFT JOIN scale_s47 s ON s.case_id = p.case_id
                        CROSS JOIN LATERAL (SELECT ((p.opened_at - interval '1 day')
                                 AT TIME ZONE {LOCAL})::date AS referral_on,
                                 ('x' || substr(md5('work:' || p.case_id::text), 1, 15))
                                 ::bit(60)::bigint AS h3) r
                        -- The calendar joined, not called: a million calls cost minutes.
                        JOIN scale_day rd ON rd.day = r.referral_on
                        JOIN scale_wd due ON due.wd = rd.wd + 45
                        JOIN scale_wd target ON target.wd = rd.wd + CASE WHEN mod(h3, 100) < 65
                            THEN 10 + mod(h3 / 100, 35) WHEN mod(h3, 100) < 85
                            THEN 46 + mod(h3 / 100, 30) ELSE 50 + mod(h3 / 100, 70) END
                    ) b
                ) t
            ) a
        ) w
        """,  # noqa: S608 - our own SQL, no input in it
        {"today": today},
    )
    cursor.execute("CREATE INDEX ON scale_work (case_id)")
    # Core groups of each child protection plan: the first within 10 working
    # days of the ICPC (or late), then every six weeks (or late), to its end.
    cursor.execute(
        """
        CREATE TEMP TABLE scale_core_group ON COMMIT DROP AS
        SELECT s.case_id, g.k, pg_temp.wd_on_or_before(f.first_on + g.k * f.gap) AS held_on,
               CASE WHEN g.k = 0 THEN f.first_due END AS due_on
        FROM scale_s47 s, LATERAL (SELECT pg_temp.wd_add(s.icpc_on, 10) AS first_due,
                 pg_temp.wd_add(s.icpc_on, CASE WHEN s.core_groups_late THEN 11 + mod(s.h2 / 5, 5)
                     ELSE 4 + mod(s.h2 / 5, 7) END::int) AS first_on,
                 CASE WHEN s.core_groups_late THEN 49 + mod(s.h2 / 13, 8)
                     ELSE 35 + mod(s.h2 / 13, 4) END::int AS gap,
                 coalesce(s.cp_end - 1, %(today)s + 42) AS last_on) f,
             LATERAL generate_series(0, GREATEST((f.last_on - f.first_on) / f.gap, 0)) g (k)
        WHERE s.plan_from_icpc AND f.first_on <= f.last_on
        """,
        {"today": today},
    )
    # Statutory visits: every 8-10 working days (12-14 on a plan whose visits run late).
    cursor.execute(
        """
        CREATE TEMP TABLE scale_visit ON COMMIT DROP AS
        SELECT s.case_id, g.k, w.day AS visited_on, mod(s.h2 / (17 + g.k), 100) AS seen_draw
        FROM scale_s47 s,
             LATERAL (SELECT (SELECT wd FROM scale_day WHERE day = s.icpc_on) AS first_wd,
                 (SELECT wd FROM scale_day WHERE day = coalesce(s.cp_end, %(today)s - 1))
                     AS last_wd,
                 CASE WHEN s.visits_late THEN 12 ELSE 8 END + mod(s.h2 / 19, 3)::int AS step) f,
             LATERAL generate_series(1, GREATEST((f.last_wd - f.first_wd) / f.step, 0)) g (k),
             scale_wd w
        WHERE s.plan_from_icpc AND w.wd = f.first_wd + g.k * f.step
        """,
        {"today": today},
    )


def conference_meetings(cursor, tag: str) -> None:
    """The conferences and core groups, into ``scale_meeting`` beside the
    strategy discussions (``demo.scale_county._meetings`` inserts them all)."""
    at = f"(%s + time '10:00') AT TIME ZONE {LOCAL}"
    cursor.execute(
        f"""
        INSERT INTO scale_meeting (meeting_id, case_id, n, at, kind, reference, purpose,
            decision, category, due_on, late_reason, follows_id, first_core_group_on,
            next_review_on)
        SELECT md5('icpc:' || s.case_id::text)::uuid, s.case_id, p.n, {at % "s.icpc_on"}, 'icpc',
            'MTG-{tag}-' || lpad(p.n::text, 8, '0') || 'I',
            'Decide whether the child needs a child protection plan.',
            CASE WHEN NOT s.icpc_held THEN '' WHEN s.plan_from_icpc THEN 'plan' ELSE 'no_plan' END,
            CASE WHEN s.plan_from_icpc THEN s.category ELSE '' END, s.icpc_due,
            CASE WHEN s.icpc_on > s.icpc_due THEN 'The first date offered was one the parents '
                 'and the school could not attend.' ELSE '' END,
            md5('meeting:' || s.case_id::text)::uuid,
            CASE WHEN s.plan_from_icpc THEN pg_temp.wd_add(s.icpc_on, 10) END,
            CASE WHEN s.plan_from_icpc THEN (s.icpc_on + interval '3 months')::date END
        FROM scale_s47 s JOIN scale_plan p USING (case_id) WHERE s.route = 'icpc'
        UNION ALL
        SELECT md5('rcpc:' || r.case_id::text || r.k)::uuid, r.case_id, p.n,
            {at % "r.held_on"}, 'rcpc', 'MTG-{tag}-' || lpad(p.n::text, 8, '0') || 'R' || r.k,
            'Review the child protection plan.', r.decision, '', r.due,
            CASE WHEN r.held_on > r.due THEN 'Rearranged: the chair was taken ill.' ELSE '' END,
            md5('icpc:' || r.case_id::text)::uuid, NULL,
            CASE WHEN r.decision = 'continue_plan' THEN (r.held_on + interval '6 months')::date END
        FROM scale_review r JOIN scale_plan p USING (case_id)
        UNION ALL
        SELECT md5('core:' || g.case_id::text || g.k)::uuid, g.case_id, p.n,
            {at % "g.held_on"}, 'core_group',
            'MTG-{tag}-' || lpad(p.n::text, 8, '0') || 'C' || g.k,
            'Core group: progress on the child protection plan.', '', '', g.due_on,
            CASE WHEN g.held_on > g.due_on THEN 'The first date was moved for the health '
                 'visitor.' ELSE '' END,
            md5('icpc:' || g.case_id::text)::uuid, NULL, NULL
        FROM scale_core_group g JOIN scale_plan p USING (case_id)
        """  # noqa: S608 - our own SQL, no input in it
    )


WORKER = "coalesce(w.worker_id, w.opened_by_id)"


def work_rows(cursor, manager: int) -> dict[str, int]:
    """Insert the episodes, assessments, enquiries, plans and visits; return
    how many of each there are."""
    worker = WORKER
    # Who referred: the first decided concern behind the case, by its agency.
    cursor.execute(
        "CREATE TEMP TABLE scale_source ON COMMIT DROP AS SELECT DISTINCT ON (case_id) "
        "case_id, right(reference, 1) AS letter FROM scale_concern WHERE decided "
        "ORDER BY case_id, reference"
    )
    insert_select(
        cursor,
        Episode,
        {
            "id": "md5('episode:' || w.case_id::text)::uuid",
            "case_id": "w.case_id",
            "referral_date": "w.referral_on",
            "referral_source": f"CASE WHEN c.letter IS NULL THEN '10' ELSE CASE c.letter "
            f"{SOURCE_OF_LETTER} ELSE {_pick(FRONT_DOOR_SOURCES, 'w.h3 / 10000000')} END END",
            "primary_need": "CASE WHEN w.completed_on IS NULL THEN 'N0' WHEN w.s47 THEN 'N1' "
            f"ELSE {_pick(NEEDS, 'w.h3 / 1000000')} END",
            "closure_date": "w.closed_on",
            "closure_reason": "coalesce(w.closure_reason, '')",
        },
        "FROM scale_work w LEFT JOIN scale_source c USING (case_id)",
    )
    too_young = "w.date_of_birth > w.started_on - 3 * 365"
    wishes = {
        "child_wishes": f"CASE WHEN {{done}} AND NOT {too_young} THEN 'Said they want things "
        "at home to be calmer and to keep going to school.' ELSE '' END",
        "wishes_not_obtained": f"CASE WHEN {{done}} AND {too_young} THEN 'too_young' ELSE '' END",
    }
    insert_select(
        cursor,
        Assessment,
        {
            "id": "md5('assessment:' || w.case_id::text)::uuid",
            "case_id": "w.case_id",
            "started_on": "w.started_on",
            "due_on": "w.due_on",
            "completed_on": "w.completed_on",
            "completed_by_id": f"CASE WHEN w.completed_on IS NOT NULL THEN {worker} END",
            "summary": "CASE WHEN w.completed_on IS NOT NULL THEN 'The family need support; "
            "findings and the plan are in the assessment.' ELSE '' END",
            "authorised_by_id": f"CASE WHEN w.authorised_on IS NOT NULL THEN {manager} END",
            "authorised_on": "w.authorised_on",
            "factors": "(CASE WHEN w.completed_on IS NULL THEN '[]' WHEN w.s47 THEN "
            f"CASE w.category {FACTORS_OF_CATEGORY} END "
            f"ELSE {_pick(FACTORS, 'w.h3 / 100000000')} END)::jsonb",
            **{k: v.format(done="w.completed_on IS NOT NULL") for k, v in wishes.items()},
        },
        "FROM scale_work w",
    )
    insert_select(
        cursor,
        Section47Enquiry,
        {
            "id": "md5('s47:' || s.case_id::text)::uuid",
            "case_id": "s.case_id",
            "started_on": "s.strategy_on",
            "completed_on": "s.s47_done",
            "outcome": "CASE WHEN s.s47_done IS NULL THEN '' ELSE s.route END",
            "strategy_meeting_id": "md5('meeting:' || s.case_id::text)::uuid",
            "conference_id": "CASE WHEN s.icpc_held THEN md5('icpc:' || s.case_id::text)::uuid END",
            **{k: v.format(done="s.s47_done IS NOT NULL") for k, v in wishes.items()},
        },
        "FROM scale_s47 s JOIN scale_work w USING (case_id)",
    )
    # Plans: the conference's CP plan, and a child in need plan (after the
    # assessment, the enquiry, a "no plan" conference or stepping down).
    cursor.execute(
        """
        CREATE TEMP TABLE scale_plans ON COMMIT DROP AS
        SELECT s.case_id, 'cp' AS kind, s.category, s.icpc_on AS start_date, s.cp_end AS end_date,
               s.cp_next_review AS next_review_on, 10 AS visits, 6 AS core_groups
        FROM scale_s47 s WHERE s.plan_from_icpc
        UNION ALL
        SELECT w.case_id, 'cin', '', w.cin_from, w.closed_on,
               CASE WHEN w.closed_on IS NULL THEN (w.cin_from + make_interval(months => 3 * (
                   (date_part('year', age(%(today)s::date, w.cin_from)) * 12
                    + date_part('month', age(%(today)s::date, w.cin_from)))::int / 3 + 1)))::date
               END,
               NULL, NULL
        FROM scale_work w WHERE w.cin_from IS NOT NULL
        """,  # noqa: S608 - our own SQL, no input in it
        {"today": timezone.localdate()},
    )
    insert_select(
        cursor,
        Plan,
        {
            "id": "md5('plan:' || case_id::text || kind)::uuid",
            "case_id": "case_id",
            "kind": "kind",
            "category": "category",
            "start_date": "start_date",
            "end_date": "end_date",
            "next_review_on": "next_review_on",
            "visit_interval_working_days": "visits",
            "core_group_interval_weeks": "core_groups",
        },
        "FROM scale_plans",
    )
    insert_select(
        cursor,
        StatutoryVisit,
        {
            "id": "md5('visit:' || v.case_id::text || v.k)::uuid",
            "case_id": "v.case_id",
            "visited_on": "v.visited_on",
            "visited_at_time": "CASE WHEN v.seen_draw < 70 THEN time '09:30' + "
            "make_interval(mins => 15 * mod(v.seen_draw, 28)::int) END",
            "seen": "CASE WHEN v.seen_draw < 8 THEN 'not_seen' WHEN v.seen_draw < 60 "
            "THEN 'seen_alone' ELSE 'seen' END",
            "not_seen_reason": "CASE WHEN v.seen_draw < 8 THEN "
            f"{_pick(['no_answer', 'refused', 'child_away', 'child_declined'], 'v.seen_draw')} "
            "ELSE '' END",
            "visited_by_id": worker,
            "recorded_by_id": worker,
            "recorded_at": f"(v.visited_on + time '17:00') AT TIME ZONE {LOCAL}",
            # The visit clock on the day (cases.models.visits.visit_due_on): the
            # plan's 10 working days from the last visit that saw the child, or
            # from the plan's start, the ICPC.
            "due_on": "pg_temp.wd_add(coalesce(v.last_seen, s.icpc_on), 10)",
        },
        "FROM (SELECT v.*, max(v.visited_on) FILTER (WHERE v.seen_draw >= 8) OVER ("
        "PARTITION BY v.case_id ORDER BY v.k ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)"
        " AS last_seen FROM scale_visit v) v JOIN scale_work w USING (case_id)"
        " JOIN scale_s47 s USING (case_id)",
    )
    counts = {}
    for model, label in [
        (Episode, "episodes"),
        (Assessment, "assessments"),
        (Section47Enquiry, "section 47 enquiries"),
        (Plan, "plans"),
        (StatutoryVisit, "visits"),
    ]:
        cursor.execute(f"SELECT count(*) FROM {model._meta.db_table}")  # noqa: S608
        counts[label] = cursor.fetchone()[0]
    return counts


def work_chronology(cursor, lead_id, long_case: int | None) -> None:
    """What the statutory services write on the timeline for each step; and
    the long case's notes (``long_case``: its place in the run), after every
    other entry is in."""
    worker = WORKER
    at = f"(%s + time '16:00') AT TIME ZONE {LOCAL}"
    insert_select(
        cursor,
        ChronologyEntry,
        {
            "id": "md5('chronology:' || case_id::text || title || at::text)::uuid",
            "case_id": "case_id",
            "occurred_at": "at",
            "agency_id": uuid_literal(lead_id),
            "kind": "kind",
            "title": "title",
            "body": "body",
            "visibility": "visibility",
            "created_by_id": "by_id",
            "created_at": "at",
        },
        f"""FROM (
            SELECT w.case_id, {at % "w.completed_on"} AS at, 'note' AS kind,
                'Child and family assessment completed' || CASE
                    WHEN w.completed_on > w.due_on THEN ', '
                         || (SELECT c.wd FROM scale_day c WHERE c.day = w.completed_on)
                          - (SELECT d.wd FROM scale_day d WHERE d.day = w.due_on)
                         || ' working days late'
                    ELSE ', within 45 working days' END AS title,
                '' AS body, 'shared' AS visibility, {worker} AS by_id
            FROM scale_work w WHERE w.completed_on IS NOT NULL
            UNION ALL
            SELECT w.case_id, {at % "s.strategy_on"}, 'note', 'Section 47 enquiry started', '',
                'shared', {worker}
            FROM scale_s47 s JOIN scale_work w USING (case_id)
            UNION ALL
            SELECT w.case_id, {at % "s.s47_done"}, 'note', CASE WHEN s.route = 'icpc'
                THEN 'Section 47 enquiry concluded: initial child protection conference held'
                WHEN s.route = 'cin' THEN 'Section 47 enquiry completed: Concerns substantiated: '
                     'child in need plan'
                ELSE 'Section 47 enquiry completed: Concerns not substantiated' END, '',
                'shared', {worker}
            FROM scale_s47 s JOIN scale_work w USING (case_id) WHERE s.s47_done IS NOT NULL
            UNION ALL
            SELECT w.case_id, {at % "p.start_date"}, 'note', CASE WHEN p.kind = 'cp'
                THEN 'Child protection plan started: ' || CASE p.category {CATEGORY_LABEL} END
                ELSE 'Child in need plan started' END, '', 'shared', {worker}
            FROM scale_plans p JOIN scale_work w USING (case_id)
            UNION ALL
            SELECT w.case_id, {at % "p.end_date"} + interval '1 minute', 'note', CASE
                WHEN p.kind = 'cp' THEN 'Child protection plan ended'
                ELSE 'Child in need plan ended' END, '', 'shared', {worker}
            FROM scale_plans p JOIN scale_work w USING (case_id) WHERE p.end_date IS NOT NULL
            UNION ALL
            SELECT w.case_id, (v.visited_on + coalesce(v.visited_at_time, time '00:00'))
                AT TIME ZONE {LOCAL}, 'visit', 'Statutory visit: ' || CASE v.seen
                WHEN 'seen_alone' THEN 'Child seen alone' WHEN 'seen' THEN 'Child seen, not alone'
                ELSE 'Child not seen' END, '', 'lead_only', {worker}
            FROM cases_statutoryvisit v JOIN scale_work w USING (case_id)
        ) entries""",  # noqa: S608 - our own SQL, no input in it
    )
    if long_case is None:
        return
    # The long case: notes a few days apart back from today, to make its
    # chronology up to LONG_CHRONOLOGY entries.
    insert_select(
        cursor,
        ChronologyEntry,
        {
            "id": "md5('long-note:' || w.case_id::text || g.k)::uuid",
            "case_id": "w.case_id",
            "occurred_at": "now() - make_interval(days => g.k::int, hours => mod(g.k, 7)::int)",
            "agency_id": uuid_literal(lead_id),
            "kind": "'note'",
            "title": "'Case note: phone call with the family'",
            "body": "'What was discussed, as the worker recorded it.'",
            "created_by_id": worker,
            "created_at": "now() - make_interval(days => g.k::int)",
        },
        "FROM scale_work w, LATERAL generate_series(1, GREATEST(%s - (SELECT count(*) "
        "FROM cases_chronologyentry e WHERE e.case_id = w.case_id), 0)) g (k) "
        "WHERE w.n = (SELECT min(n) FROM scale_work) + %s",
        [LONG_CHRONOLOGY, long_case],
    )
