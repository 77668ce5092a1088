"""Services ask the access policy themselves: a page's check is not the only guard.

Calling the service directly, as someone the policy refuses, changes nothing.
"""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cases import selectors, services
from cases.models import CaseGroupObjectPermission, Involvement
from cases.services.case import involvement_start
from tests.factories import World, open_case_from_concern, submit_concern

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return World()


def _state(case):
    return (
        sorted(case.involvements.values_list("agency__slug", "level", "ended_at")),
        sorted(
            CaseGroupObjectPermission.objects.filter(content_object=case).values_list(
                "group_id", "permission__codename"
            )
        ),
    )


def test_adding_an_agency_is_refused_to_anyone_but_the_lead_agency(world):
    case = open_case_from_concern(world, submit_concern(world))
    before = _state(case)
    # The school is involved (it reported), the chair and the other authority are not the lead's
    # social workers or managers.
    for user in (world.teacher, world.officer, world.chair, world.other_social_worker):
        with pytest.raises(PermissionDenied):
            services.case_add_agency(acting_user=user, case=case, agency=world.police)
    assert _state(case) == before
    assert not selectors.cases_for(world.officer).filter(pk=case.pk).exists()

    services.case_add_agency(acting_user=world.social_worker, case=case, agency=world.police)
    assert selectors.cases_for(world.officer).filter(pk=case.pk).exists()


def test_ending_an_involvement_is_refused_to_anyone_but_the_lead_agency(world):
    case = open_case_from_concern(world, submit_concern(world))
    police = services.case_add_agency(acting_user=world.manager, case=case, agency=world.police)
    before = _state(case)
    for user in (world.teacher, world.officer, world.chair, world.other_social_worker):
        with pytest.raises(PermissionDenied):
            services.case_end_involvement(
                acting_user=user, involvement=police, reason="No longer needed"
            )
    assert _state(case) == before
    assert selectors.cases_for(world.officer).filter(pk=case.pk).exists()

    lead = case.involvements.get(level=Involvement.Level.LEAD)
    with pytest.raises(ValidationError):
        services.case_end_involvement(
            acting_user=world.manager, involvement=lead, reason="No longer needed"
        )
    assert _state(case) == before

    services.case_end_involvement(
        acting_user=world.manager, involvement=police, reason="No longer needed"
    )
    assert not selectors.cases_for(world.officer).filter(pk=case.pk).exists()


def test_the_systems_own_steps_still_involve_agencies_without_a_person_check(world):
    # Accepting a referral or inviting to a meeting involves an agency on the
    # system's authority, checked by its caller: that path stays open.
    case = open_case_from_concern(world, submit_concern(world))
    involvement_start(
        acting_user=None,
        case=case,
        agency=world.police,
        level=Involvement.Level.INVOLVED,
        reason=Involvement.Reason.REFERRAL,
        source_reference="REF-1",
    )
    assert selectors.cases_for(world.officer).filter(pk=case.pk).exists()
