"""The guardian grants of ``seed_scale``'s county, derived in SQL from its rows
by the same rules as ``cases.access``, ``meetings.grants`` and the concern
service (tests/demo/test_seed_scale.py holds every case and meeting to those
functions). ``scale_plan``, ``scale_meeting`` and ``scale_concern`` are the
temporary tables ``demo.scale_county`` fills."""

from __future__ import annotations

from agencies.models import Agency
from agencies.roles import CASE_WORKING_ROLES, LEAD_AGENCY_ROLES, TRIAGE_ROLES, Role
from demo.scale_sql import permission_ids


def case_grants(cursor) -> None:
    """``cases.access.desired_group_grants`` / ``desired_user_grants`` for every new case."""
    perms = permission_ids(cursor, "cases", ["view_case", "view_case_lead"])
    cursor.execute(
        """
        INSERT INTO cases_casegroupobjectpermission (group_id, permission_id, content_object_id)
        SELECT g.group_id, p.id, i.case_id
        FROM cases_involvement i
        JOIN scale_plan s ON s.case_id = i.case_id AND NOT s.is_restricted
        JOIN agencies_agencyrolegroup g ON g.agency_id = i.agency_id
             AND g.role = ANY(CASE WHEN i.level = 'lead' THEN %s::text[] ELSE %s::text[] END)
        JOIN (VALUES (%s, 'view_case'), (%s, 'view_case_lead')) p (id, codename)
             ON i.level = 'lead' OR p.codename = 'view_case'
        WHERE i.ended_at IS NULL
        """,
        [
            sorted(LEAD_AGENCY_ROLES),
            sorted(CASE_WORKING_ROLES),
            perms["view_case"],
            perms["view_case_lead"],
        ],
    )
    # The allocated worker, the chairs of the case's meetings, and on a
    # restricted case the people named on it: each sees it as the lead does.
    cursor.execute(
        """
        INSERT INTO cases_caseuserobjectpermission (user_id, permission_id, content_object_id)
        SELECT people.user_id, p.id, people.case_id FROM (
            SELECT case_id, worker_id AS user_id FROM scale_plan WHERE worker_id IS NOT NULL
            UNION SELECT mc.case_id, m.chair_id FROM cases_meetingcase mc
                JOIN cases_meeting m ON m.id = mc.meeting_id
                JOIN scale_plan s ON s.case_id = mc.case_id
            UNION SELECT a.case_id, a.user_id FROM cases_namedaccess a
                JOIN scale_plan s ON s.case_id = a.case_id AND s.is_restricted
        ) people CROSS JOIN (VALUES (%s), (%s)) p (id)
        """,
        [perms["view_case"], perms["view_case_lead"]],
    )


def meeting_grants(cursor) -> None:
    """``meetings.grants.desired_meeting_group_grants`` / ``..._user_grants``."""
    perms = permission_ids(
        cursor, "meetings", ["view_meeting", "view_meeting_lead", "chair_meeting"]
    )
    view, view_lead, chair = (
        perms[c] for c in ("view_meeting", "view_meeting_lead", "chair_meeting")
    )
    # Per meeting: restricted? and the agencies currently involved in its cases.
    cursor.execute(
        """
        CREATE TEMP TABLE scale_meeting_access ON COMMIT DROP AS
        SELECT m.id AS meeting_id, m.lead_agency_id, m.chair_id,
               bool_or(c.is_restricted) AS restricted
        FROM cases_meeting m JOIN scale_meeting s ON s.meeting_id = m.id
        JOIN cases_meetingcase mc ON mc.meeting_id = m.id JOIN cases_case c ON c.id = mc.case_id
        GROUP BY m.id
        """
    )
    involved_invitation = """
        EXISTS (SELECT 1 FROM cases_meetingcase mc JOIN cases_involvement v
                ON v.case_id = mc.case_id AND v.ended_at IS NULL
                WHERE mc.meeting_id = inv.meeting_id AND v.agency_id = inv.agency_id)
    """
    cursor.execute(
        f"""
        INSERT INTO cases_meetinggroupobjectpermission (group_id, permission_id, content_object_id)
        SELECT g.group_id, p.id, a.meeting_id
        FROM scale_meeting_access a
        JOIN agencies_agencyrolegroup g
             ON g.agency_id = a.lead_agency_id AND g.role = ANY(%s::text[])
        CROSS JOIN (VALUES (%s), (%s)) p (id)
        WHERE NOT a.restricted
        UNION
        SELECT g.group_id, %s, a.meeting_id
        FROM scale_meeting_access a
        JOIN (SELECT DISTINCT inv.meeting_id, inv.agency_id FROM cases_meetinginvitation inv
              WHERE {involved_invitation}) invited ON invited.meeting_id = a.meeting_id
        JOIN agencies_agencyrolegroup g
             ON g.agency_id = invited.agency_id AND g.role = ANY(%s::text[])
        WHERE NOT a.restricted AND invited.agency_id <> a.lead_agency_id
        """,  # noqa: S608 - our own SQL, no input in it
        [sorted(LEAD_AGENCY_ROLES), view, view_lead, view, sorted(CASE_WORKING_ROLES)],
    )
    cursor.execute(
        f"""
        INSERT INTO cases_meetinguserobjectpermission (user_id, permission_id, content_object_id)
        SELECT chair_id, p.id, meeting_id FROM scale_meeting_access
            CROSS JOIN (VALUES (%s), (%s), (%s)) p (id)
        UNION
        SELECT named.user_id, p.id, a.meeting_id FROM scale_meeting_access a
            JOIN cases_meetingcase mc ON mc.meeting_id = a.meeting_id
            JOIN cases_namedaccess named ON named.case_id = mc.case_id
            CROSS JOIN (VALUES (%s), (%s)) p (id)
            WHERE a.restricted
        UNION
        SELECT inv.person_id, %s, inv.meeting_id FROM cases_meetinginvitation inv
            JOIN scale_meeting_access a ON a.meeting_id = inv.meeting_id
            WHERE inv.person_id IS NOT NULL AND {involved_invitation}
              AND (NOT a.restricted OR inv.person_id IN (
                  SELECT named.user_id FROM cases_meetingcase mc
                  JOIN cases_namedaccess named ON named.case_id = mc.case_id
                  WHERE mc.meeting_id = inv.meeting_id))
        """,  # noqa: S608 - our own SQL, no input in it
        [view, view_lead, chair, view, view_lead, view],
    )


def concern_grants(cursor, lead: Agency) -> None:
    """As ``cases.services.concerns._grant_concern_access``: the reporter, the
    lead's triage roles, and the reporting agency's managers."""
    view = permission_ids(cursor, "cases", ["view_concern"])["view_concern"]
    cursor.execute(
        """
        INSERT INTO cases_concernuserobjectpermission (user_id, permission_id, content_object_id)
        SELECT reporter_id, %s, md5('concern:' || reference)::uuid FROM scale_concern
        """,
        [view],
    )
    cursor.execute(
        """
        INSERT INTO cases_concerngroupobjectpermission (group_id, permission_id, content_object_id)
        SELECT g.group_id, %s, md5('concern:' || c.reference)::uuid
        FROM scale_concern c JOIN agencies_agencyrolegroup g
          ON (g.agency_id = %s AND g.role = ANY(%s::text[]))
          OR (g.agency_id = c.reporting_id AND c.reporting_id <> %s AND g.role = %s)
        """,
        [view, lead.pk, sorted(TRIAGE_ROLES), lead.pk, Role.MANAGER.value],
    )
