"""The meetings of ``seed_scale``'s county (PostgreSQL): the strategy
discussions ``demo.scale_county`` plans, and with the statutory work the
initial and review conferences and core groups ``demo.scale_work`` plans, all
in ``scale_meeting``; then the meetings, their cases and invitations from it,
so the grants, chronology and audit rows (which read ``scale_meeting``) cover
them all."""

from __future__ import annotations

from django.utils import timezone

from demo.scale_sql import insert_select, uuid_literal
from demo.scale_work import conference_meetings
from meetings.models import Meeting, MeetingCase, MeetingInvitation


def strategy_and_conferences(
    cursor,
    *,
    tag: str,
    lead_id,
    chair: int,
    scheduler: int,
    police_id,
    health_id,
    health_practitioner: int,
    work: bool,
) -> None:
    """A strategy discussion on 2 cases in 100 (and with ``work``, the
    conferences and core groups that follow: ``demo.scale_work``): the involved
    agencies (ended or not) and the police invited, health's practitioner by name."""
    cursor.execute(
        f"""
        CREATE TEMP TABLE scale_meeting ON COMMIT DROP AS
        SELECT md5('meeting:' || case_id::text)::uuid AS meeting_id, case_id, n,
               opened_at + interval '3 days' AS at, 'strategy'::text AS kind,
               'MTG-{tag}-' || lpad(n::text, 8, '0') AS reference,
               'Share information and decide on a section 47 enquiry.'::text AS purpose,
               CASE WHEN opened_at + interval '3 days' < now() THEN 'section_47' ELSE '' END
                   AS decision,
               ''::text AS category, NULL::date AS due_on, ''::text AS late_reason,
               NULL::uuid AS follows_id, NULL::date AS first_core_group_on,
               NULL::date AS next_review_on
        FROM scale_plan WHERE r_meeting < 2
        """  # noqa: S608 - our own SQL, no input in it
    )
    if work:
        conference_meetings(cursor, tag)
    # Held: a strategy discussion once its time has passed (as before the
    # conferences were added); a conference or core group held before today.
    # One statement per execute: with server-side binding (settings.py) a
    # statement with parameters cannot carry a second one.
    cursor.execute("ALTER TABLE scale_meeting ADD COLUMN held boolean")
    cursor.execute(
        "UPDATE scale_meeting SET held = CASE WHEN kind = 'strategy' THEN at < now() "
        "ELSE (at AT TIME ZONE 'Europe/London')::date < %s END",
        [timezone.localdate()],
    )
    insert_select(
        cursor,
        Meeting,
        {
            "id": "meeting_id",
            "reference": "reference",
            "kind": "kind",
            "lead_agency_id": uuid_literal(lead_id),
            "chair_id": str(chair),
            "scheduled_at": "at",
            "location": "'Northtown Civic Centre, room 2'",
            "purpose": "purpose",
            "follows_id": "follows_id",
            "due_on": "due_on",
            "late_reason": "late_reason",
            "finalised_at": "CASE WHEN held THEN at + interval '2 hours' END",
            "finalised_by_id": f"CASE WHEN held THEN {chair} END",
            "created_by_id": str(scheduler),
            "created_at": "at - interval '2 days'",
            "updated_at": "at",
        },
        "FROM scale_meeting",
    )
    insert_select(
        cursor,
        MeetingCase,
        {
            "id": "md5('meetingcase:' || meeting_id::text)::uuid",
            "meeting_id": "meeting_id",
            "case_id": "case_id",
            "decision": "CASE WHEN held THEN decision ELSE '' END",
            "category": "CASE WHEN held THEN category ELSE '' END",
            "first_core_group_on": "CASE WHEN held THEN first_core_group_on END",
            "next_review_on": "CASE WHEN held THEN next_review_on END",
        },
        "FROM scale_meeting",
    )
    insert_select(
        cursor,
        MeetingInvitation,
        {
            "id": "md5('invitation:' || meeting_id::text || agency_id::text || "
            "coalesce(person_id, 0)::text)::uuid",
            "meeting_id": "meeting_id",
            "agency_id": "agency_id",
            "person_id": "person_id",
            "invited_at": "at - interval '2 days'",
        },
        "FROM (SELECT DISTINCT m.meeting_id, m.at, i.agency_id, NULL::integer AS person_id "
        "FROM scale_meeting m JOIN scale_involvement i ON i.case_id = m.case_id "
        "WHERE i.level = 'involved' "
        "UNION SELECT meeting_id, at, %s::uuid, NULL FROM scale_meeting "
        "UNION SELECT m.meeting_id, m.at, i.agency_id, %s FROM scale_meeting m "
        "JOIN scale_involvement i ON i.case_id = m.case_id AND i.agency_id = %s) invited",
        [police_id, health_practitioner, health_id],
    )
