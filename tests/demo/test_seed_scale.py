"""``seed_scale`` builds a county by the application's own rules: every grant it
writes is what the access functions would write, and the audit chain verifies."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection

from agencies.roles import TRIAGE_ROLES, Role
from agencies.services import role_group
from cases.access import desired_group_grants, desired_user_grants
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
)
from cases.selectors.cases import cases_for
from cases.selectors.concerns import concerns_for
from meetings.grants import desired_meeting_group_grants, desired_meeting_user_grants
from meetings.models import Meeting, MeetingGroupObjectPermission, MeetingUserObjectPermission
from meetings.selectors import meetings_for
from safeguard.audit.models import AuditEvent
from safeguard.audit.verification import verify_chain

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="seed_scale builds cases on PostgreSQL only"
    ),
]

CHILDREN = 300


# Seeding the demo and a county, then checking every row against the access
# functions, takes minutes on a busy shared machine.
@pytest.mark.timeout(1200)
def test_a_small_county_is_built_by_the_access_rules(seed_demo, settings, tmp_path):
    """One county, checked six ways (building it takes a while: it is built once)."""
    settings.AUDIT_CHECKPOINT_DIR = str(tmp_path / "audit-checkpoints")
    seed_demo()
    call_command("seed_scale", children=CHILDREN, seed=7, stdout=StringIO())
    county = Case.objects.filter(reference__startswith="CAS-S07-")
    _counts_are_as_asked_and_every_kind_of_case_is_there(county)
    _every_case_holds_exactly_the_grants_the_access_rules_call_for(county)
    _every_meeting_holds_exactly_the_grants_the_meeting_rules_call_for(county)
    _every_concern_holds_the_grants_submitting_it_gives(county)
    _the_people_see_what_their_agencies_involvements_say(county)
    _the_audit_chain_verifies_with_a_row_for_each_act(county)


def test_cases_at_scale_need_postgresql_and_a_seeded_lead_agency():
    with pytest.raises(CommandError, match="seed_demo"):
        call_command("seed_scale", children=1, agency="nowhere", stdout=StringIO())


def _stored(model, holder: str, obj) -> set[tuple[int, str]]:
    return set(model.objects.filter(content_object=obj).values_list(holder, "permission__codename"))


def _counts_are_as_asked_and_every_kind_of_case_is_there(county):
    assert Child.objects.filter(reference__startswith="CHI-S07-").count() == CHILDREN
    assert county.count() == CHILDREN
    assert set(county.values_list("child__reference", flat=True)) == set(
        Child.objects.filter(reference__startswith="CHI-S07-").values_list("reference", flat=True)
    )
    # Each has its lead agency's involvement, and its opening is on its timeline.
    assert Involvement.objects.filter(case__in=county, level="lead").count() == CHILDREN
    assert ChronologyEntry.objects.filter(case__in=county, kind="case_opened").count() == CHILDREN
    assert county.filter(is_restricted=True).count() >= 2
    assert county.filter(status="open", allocated_worker__isnull=False).exists()
    assert Meeting.objects.filter(subjects__case__in=county).count() >= 5
    assert Concern.objects.filter(case__in=county, status="completed").exists()
    assert Concern.objects.filter(
        reference__startswith="CON-S07-", status="submitted", case__isnull=True
    ).exists()
    # Ended involvements are there too, and give nothing.
    assert Involvement.objects.filter(case__in=county, ended_at__isnull=False).exists()


def _every_case_holds_exactly_the_grants_the_access_rules_call_for(county):
    for case in county:
        assert _stored(CaseGroupObjectPermission, "group_id", case) == desired_group_grants(case), (
            case.reference
        )
        assert _stored(CaseUserObjectPermission, "user_id", case) == desired_user_grants(case), (
            case.reference
        )


def _every_meeting_holds_exactly_the_grants_the_meeting_rules_call_for(county):
    meetings = Meeting.objects.filter(subjects__case__in=county).distinct()
    assert meetings.filter(subjects__case__is_restricted=True).exists()
    for meeting in meetings:
        assert _stored(
            MeetingGroupObjectPermission, "group_id", meeting
        ) == desired_meeting_group_grants(meeting), meeting.reference
        assert _stored(
            MeetingUserObjectPermission, "user_id", meeting
        ) == desired_meeting_user_grants(meeting), meeting.reference


def _every_concern_holds_the_grants_submitting_it_gives(county):
    concerns = Concern.objects.filter(reference__startswith="CON-S07-").select_related(
        "lead_agency", "reporting_agency"
    )
    assert concerns.exists()
    for concern in concerns:
        groups = {role_group(agency=concern.lead_agency, role=r).pk for r in TRIAGE_ROLES}
        if concern.reporting_agency_id != concern.lead_agency_id:
            groups.add(role_group(agency=concern.reporting_agency, role=Role.MANAGER).pk)
        assert _stored(ConcernGroupObjectPermission, "group_id", concern) == {
            (g, "view_concern") for g in groups
        }
        assert _stored(ConcernUserObjectPermission, "user_id", concern) == {
            (concern.reported_by_id, "view_concern")
        }


def _the_people_see_what_their_agencies_involvements_say(county):
    users = {u.username: u for u in get_user_model().objects.all()}
    social_worker = users["social_worker@northshire-csc"]
    health = users["practitioner@northshire-health"]
    police = users["practitioner@northshire-police"]
    # The lead's social worker sees every case but the restricted ones they are not named on.
    hidden = county.filter(is_restricted=True).exclude(named_access__user=social_worker)
    assert hidden.exists()
    assert set(cases_for(social_worker).filter(pk__in=county)) == set(county.exclude(pk__in=hidden))
    # Health sees the cases it is involved in, unless restricted.
    involved = county.filter(
        involvements__agency__slug="northshire-health", involvements__ended_at__isnull=True
    )
    assert set(cases_for(health).filter(pk__in=county)) == set(involved.filter(is_restricted=False))
    # The police's ended involvements give it nothing; nor does an invitation alone.
    police_now = Involvement.objects.filter(
        agency__slug="northshire-police", ended_at__isnull=True
    ).values("case_id")
    ended = county.filter(involvements__agency__slug="northshire-police").exclude(pk__in=police_now)
    assert ended.exists()
    assert not cases_for(police).filter(pk__in=ended).exists()
    invited_only = Meeting.objects.filter(
        subjects__case__in=ended, invitations__agency__slug="northshire-police"
    )
    assert invited_only.exists()
    assert not meetings_for(police).filter(pk__in=invited_only).exists()
    # A reporter follows what they reported.
    assert concerns_for(health).filter(reference__endswith="H").exists()


def _the_audit_chain_verifies_with_a_row_for_each_act(county):
    assert AuditEvent.objects.filter(
        event="case_opened", case_id__in=county.values("pk")
    ).count() == (CHILDREN)
    assert AuditEvent.objects.filter(position__isnull=True).count() == 0
    report = verify_chain()
    assert report.ok, report.problems
    call_command("verify_audit", stdout=StringIO())
