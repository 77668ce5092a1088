"""SPEC 2: who sees a case, at which level, why, and that grants follow the records."""

import pytest
from django.http import Http404

from cases import selectors
from cases.access import desired_group_grants, desired_user_grants, explain_access, sync_case_grants
from cases.models import (
    CaseGroupObjectPermission,
    CaseUserObjectPermission,
    ChronologyEntry,
    Involvement,
)
from cases.services.case import involvement_end, involvement_reason_end, involvement_start
from safeguard.audit.models import AuditEvent
from tests.factories import World, open_case_from_concern, submit_concern

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return World()


def _stored_grants(case):
    groups = set(
        CaseGroupObjectPermission.objects.filter(content_object=case).values_list(
            "group_id", "permission__codename"
        )
    )
    users = set(
        CaseUserObjectPermission.objects.filter(content_object=case).values_list(
            "user_id", "permission__codename"
        )
    )
    return groups, users


def assert_grants_match_records(case):
    assert _stored_grants(case) == (desired_group_grants(case), desired_user_grants(case))


def test_case_opened_from_a_school_concern(world):
    case = open_case_from_concern(world, submit_concern(world))
    assert_grants_match_records(case)
    # Lead agency social workers and managers, and the school that raised it.
    for user in (world.social_worker, world.manager, world.teacher):
        assert selectors.cases_for(user).filter(pk=case.pk).exists(), user
    # Nobody else: another school, another authority, admins, auditors, a chair
    # who chairs no meeting on it, and the police who are not involved.
    for user in [
        *world.unrelated_users(),
        world.la_admin,
        world.auditor,
        world.chair,
        world.officer,
    ]:
        assert not selectors.cases_for(user).filter(pk=case.pk).exists(), user
        with pytest.raises(Http404):
            selectors.get_case_for(user, case.pk)


def test_involved_agency_sees_only_shared_chronology(world):
    case = open_case_from_concern(world, submit_concern(world))
    ChronologyEntry.objects.create(
        case=case,
        occurred_at=case.opened_at,
        agency=world.la,
        kind="note",
        title="Restricted: family history",
        visibility="lead_only",
    )
    assert not selectors.has_lead_access(world.teacher, case)
    teacher_titles = {e.title for e in selectors.chronology_for(world.teacher, case)}
    worker_titles = {e.title for e in selectors.chronology_for(world.social_worker, case)}
    assert "Restricted: family history" in worker_titles
    assert "Restricted: family history" not in teacher_titles
    assert "Case opened" in teacher_titles


def test_ended_involvement_ends_access_at_once(world):
    case = open_case_from_concern(world, submit_concern(world))
    involvement_start(
        acting_user=world.social_worker,
        case=case,
        agency=world.police,
        level=Involvement.Level.INVOLVED,
        reason=Involvement.Reason.ADDED,
    )
    assert selectors.cases_for(world.officer).filter(pk=case.pk).exists()
    involvement = case.involvements.get(agency=world.police)
    involvement_end(acting_user=world.social_worker, involvement=involvement)
    assert not selectors.cases_for(world.officer).filter(pk=case.pk).exists()
    assert_grants_match_records(case)


def test_two_reasons_of_one_agency_keep_access_until_both_end(world):
    """An agency involved twice over is one involvement with two reasons: the
    access stays while any reason does, and ends with the last."""
    case = open_case_from_concern(world, submit_concern(world))
    second = involvement_start(
        acting_user=world.social_worker,
        case=case,
        agency=world.school,
        level=Involvement.Level.INVOLVED,
        reason=Involvement.Reason.ADDED,
    )
    school = case.involvements.get(agency=world.school, ended_at__isnull=True)
    assert second.pk == school.pk
    assert school.reasons.filter(ended_at__isnull=True).count() == 2
    involvement_reason_end(
        acting_user=world.social_worker,
        case=case,
        agency=world.school,
        reason=Involvement.Reason.CONCERN,
        source_reference=school.source_reference,
    )
    assert selectors.cases_for(world.teacher).filter(pk=case.pk).exists()
    involvement_reason_end(
        acting_user=world.social_worker,
        case=case,
        agency=world.school,
        reason=Involvement.Reason.ADDED,
    )
    assert not selectors.cases_for(world.teacher).filter(pk=case.pk).exists()
    assert_grants_match_records(case)


def test_deactivated_membership_loses_access(world):
    from agencies.services import membership_deactivate
    from tests.factories import make_user

    case = open_case_from_concern(world, submit_concern(world))
    school_admin = make_user("agency_admin@school", world.school, "agency_admin")
    membership = world.teacher.memberships.get()
    membership_deactivate(acting_user=school_admin, membership=membership)
    assert not selectors.cases_for(world.teacher).filter(pk=case.pk).exists()


def test_allocation_grants_the_named_worker(world):
    from tests.factories import make_user

    case = open_case_from_concern(world, submit_concern(world))
    # A worker from another authority seconded onto this one case.
    seconded = make_user("seconded@other-la", world.other_la, "social_worker")
    assert not selectors.cases_for(seconded).filter(pk=case.pk).exists()
    case.allocated_worker = seconded
    case.save(update_fields=["allocated_worker"])
    sync_case_grants(case)
    assert selectors.has_lead_access(seconded, case)
    assert [r.rule for r in explain_access(seconded, case)] == ["allocation"]
    assert_grants_match_records(case)


def test_explainer_agrees_with_the_selectors(world):
    case = open_case_from_concern(world, submit_concern(world))
    everyone = [
        world.teacher,
        world.other_teacher,
        world.officer,
        world.social_worker,
        world.manager,
        world.chair,
        world.la_admin,
        world.auditor,
        world.other_social_worker,
        world.other_manager,
    ]
    for user in everyone:
        reasons = explain_access(user, case)
        assert bool(reasons) == selectors.cases_for(user).filter(pk=case.pk).exists(), user
    rules = {r.rule for r in explain_access(world.teacher, case)}
    assert rules == {"involvement"}
    reason = explain_access(world.teacher, case)[0]
    assert "Logged a concern" in reason.detail and reason.since is not None
    assert {r.rule for r in explain_access(world.manager, case)} == {"lead_agency"}


def test_concerns_are_seen_by_reporter_and_front_door_only(world):
    concern = submit_concern(world)
    for user in (world.teacher, world.social_worker, world.manager):
        assert selectors.get_concern_for(user, concern.pk)
    for user in [*world.unrelated_users(), world.officer, world.la_admin, world.auditor]:
        with pytest.raises(Http404):
            selectors.get_concern_for(user, concern.pk)


def test_drafts_are_private_to_their_author(world):
    from cases import services

    draft = services.concern_save_draft(
        acting_user=world.teacher, reporting_agency=world.school, data={"account": ["x"]}
    )
    assert selectors.get_concern_for(world.teacher, draft.pk)
    for user in (world.social_worker, world.manager, world.other_teacher):
        with pytest.raises(Http404):
            selectors.get_concern_for(user, draft.pk)


def test_lead_agency_adds_and_ends_an_involvement_from_the_case_page(client, world):
    from django.urls import reverse

    case = open_case_from_concern(world, submit_concern(world))
    client.force_login(world.social_worker)
    response = client.post(reverse("case_add_agency", args=[case.pk]), {"agency": world.police.pk})
    assert response.status_code == 302
    assert selectors.cases_for(world.officer).filter(pk=case.pk).exists()
    assert_grants_match_records(case)
    involvement = case.involvements.get(agency=world.police, ended_at__isnull=True)
    url = reverse("case_end_involvement", args=[case.pk, involvement.pk])
    # A confirmation page first, with the reason asked for; nothing ends without one.
    page = client.get(url)
    assert page.status_code == 200
    assert "End Police's involvement?" in page.content.decode()
    refused = client.post(url, {"reason": "  "})
    assert refused.status_code == 200
    assert "Enter why the involvement ends" in refused.content.decode()
    assert selectors.cases_for(world.officer).filter(pk=case.pk).exists()
    client.post(url, {"reason": "Police enquiries complete"})
    assert not selectors.cases_for(world.officer).filter(pk=case.pk).exists()
    involvement.refresh_from_db()
    assert involvement.end_reason == "Police enquiries complete"
    entry = case.chronology.get(title="Police's involvement ended")
    assert entry.body == "Police enquiries complete"
    event = AuditEvent.objects.get(event="involvement_ended", case_id=case.pk)
    assert event.reason == "Police enquiries complete"
    # The lead agency's own involvement cannot be ended this way.
    lead = case.involvements.get(level="lead")
    assert client.post(reverse("case_end_involvement", args=[case.pk, lead.pk])).status_code == 404
    # An involved agency cannot manage involvement.
    client.force_login(world.teacher)
    response = client.post(reverse("case_add_agency", args=[case.pk]), {"agency": world.police.pk})
    assert response.status_code == 404
