"""``led_case_visible_to``, ``case_visible_led_first`` and
``led_concern_visible_to`` are the access rule (``case_visible_to``,
``concerns_for``) written for a lead agency's own cases and front door, so the
dashboard and My work can count them without a grant probe per row;
``front_door_queue_for`` is the same rule for the concerns waiting at the
doors a person works. Held side by side here, person by person, over a year of
work with concerns waiting (one of them on a restricted case), a restricted
case, an involvement ended, a manager allocated a case, one whose membership
ended and one who moved to another authority."""

from __future__ import annotations

import pytest

from agencies.models import Membership
from agencies.roles import TRIAGE_ROLES
from agencies.selectors import agencies_where
from agencies.services import membership_deactivate
from cases import services
from cases.models import Case, Concern, Involvement
from cases.selectors import (
    case_visible_led_first,
    case_visible_to,
    concerns_for,
    front_door_queue_for,
    led_case_visible_to,
    led_concern_visible_to,
)
from tests.factories import make_user, submit_concern
from tests.meetings.meeting_helpers import travel
from tests.oversight.oversight_world import NOW, build

pytestmark = pytest.mark.django_db


def people(world) -> list:
    return [
        world.manager,
        world.social_worker,
        world.chair,
        world.other_manager,
        world.other_social_worker,
        world.teacher,
        world.officer,
        world.auditor,
    ]


def assert_same_rule(world) -> None:
    ids = [world.la.pk, world.other_la.pk]
    for person in people(world):
        led = set(
            Case.objects.filter(led_case_visible_to(person, ids)).values_list("pk", flat=True)
        )
        rule = set(
            Case.objects.filter(lead_agency_id__in=ids)
            .filter(case_visible_to(person))
            .values_list("pk", flat=True)
        )
        assert led == rule, person.username
        first = set(
            Case.objects.filter(case_visible_led_first(person)).values_list("pk", flat=True)
        )
        assert first == set(
            Case.objects.filter(case_visible_to(person)).values_list("pk", flat=True)
        )
        led = set(
            Concern.objects.filter(led_concern_visible_to(person, ids)).values_list("pk", flat=True)
        )
        rule = set(
            concerns_for(person)
            .filter(lead_agency_id__in=ids)
            .exclude(status=Concern.Status.DRAFT)
            .values_list("pk", flat=True)
        )
        assert led == rule, person.username
        queue = set(front_door_queue_for(person).values_list("pk", flat=True))
        doors = agencies_where(person, roles=TRIAGE_ROLES, kind="social_care")
        rule = set(
            concerns_for(person)
            .filter(lead_agency__in=doors, status__in=WAITING)
            .values_list("pk", flat=True)
        )
        assert queue == rule, person.username


WAITING = [Concern.Status.SUBMITTED, Concern.Status.AWAITING_AUTHORISATION]


def test_the_lead_agencys_form_of_the_rule_admits_exactly_whom_the_rule_admits():
    world = build()
    with travel(NOW):
        waiting = submit_concern(world, child_first_name="Wes", child_last_name="Test")
        awaiting = submit_concern(world, child_first_name="Ada", child_last_name="Test")
        on_restricted = submit_concern(world, child_first_name="Rae", child_last_name="Test")
    # However they come to be: one awaiting a manager's authorisation, one
    # linked to the restricted case.
    Concern.objects.filter(pk=awaiting.pk).update(status=Concern.Status.AWAITING_AUTHORISATION)
    Concern.objects.filter(pk=on_restricted.pk).update(case=world.r)
    queue = front_door_queue_for(world.manager)
    assert {waiting, awaiting} <= set(queue) and on_restricted not in queue
    assert on_restricted in front_door_queue_for(world.social_worker)
    # Someone sees something, and not everything: the comparison means something.
    manager_sees = Case.objects.filter(led_case_visible_to(world.manager, [world.la.pk]))
    assert world.a in manager_sees and world.r not in manager_sees
    assert world.r in Case.objects.filter(led_case_visible_to(world.social_worker, [world.la.pk]))
    assert_same_rule(world)

    with travel(NOW):
        # The manager holds a case of their own; the school's involvement ends.
        services.case_allocate(acting_user=world.manager, case=world.b, worker=world.manager)
        school = Involvement.objects.filter(
            case=world.a, agency=world.school, ended_at__isnull=True
        ).first()
        if school is not None:
            services.case_end_involvement(
                acting_user=world.social_worker, involvement=school, reason="Work finished."
            )
    assert_same_rule(world)

    # The manager's membership ends: neither form admits what it gave them.
    membership = Membership.objects.get(user=world.manager, agency=world.la, role="manager")
    membership_deactivate(acting_user=world.la_admin, membership=membership)
    assert_same_rule(world)
    # Moved to the other authority: of these, only the case still allocated
    # to them (a person's own grant, as anywhere else), none as a manager.
    make_user("manager@la", world.other_la, "manager")
    seen = Case.objects.filter(led_case_visible_to(world.manager, [world.la.pk]))
    assert list(seen.values_list("pk", flat=True)) == [world.b.pk]
    assert_same_rule(world)
