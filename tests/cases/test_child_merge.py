"""Merging duplicate child records, audited and reversible."""

import pytest
from django.urls import reverse

from cases.models import Child, ChildMerge, Concern
from cases.services import child_create, concern_link_child
from safeguard.audit.models import AuditEvent
from tests.factories import World, open_case_from_concern, submit_concern

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    w = World()
    w.case = open_case_from_concern(w, submit_concern(w))
    w.duplicate = child_create(
        acting_user=w.social_worker, lead_agency=w.la, first_name="Amelia", last_name="Heart"
    )
    w.other_concern = submit_concern(w, child_last_name="Heart")
    concern_link_child(acting_user=w.social_worker, concern=w.other_concern, child=w.duplicate)
    return w


def merge(client, world, reference=None, reason="Same child: same school, address, mother."):
    return client.post(
        reverse("case_child_merge", args=[world.case.pk]),
        {"reference": reference or world.duplicate.reference, "reason": reason},
    )


def test_a_manager_merges_a_duplicate_and_can_undo_it(client, world):
    client.force_login(world.manager)
    assert merge(client, world).status_code == 302
    world.duplicate.refresh_from_db()
    assert world.duplicate.merged_into == world.case.child
    assert Concern.objects.get(pk=world.other_concern.pk).child == world.case.child
    assert AuditEvent.objects.filter(event="child_merged").exists()
    # The merged record is no longer offered at the front door.
    from cases.selectors import children_at_front_door

    assert (
        not children_at_front_door(world.social_worker, world.la)
        .filter(pk=world.duplicate.pk)
        .exists()
    )

    record = ChildMerge.objects.get()
    client.post(reverse("case_child_merge_undo", args=[world.case.pk, record.pk]))
    world.duplicate.refresh_from_db()
    assert world.duplicate.merged_into is None
    assert Concern.objects.get(pk=world.other_concern.pk).child == world.duplicate
    assert Concern.objects.get(pk=world.case.concerns.first().pk).child == world.case.child
    assert AuditEvent.objects.filter(event="child_merge_undone").exists()


def test_merging_needs_a_manager_a_reason_and_a_real_duplicate(client, world):
    client.force_login(world.social_worker)
    assert merge(client, world).status_code == 404
    client.force_login(world.manager)
    assert merge(client, world, reason="").status_code == 400
    assert merge(client, world, reference=world.case.child.reference).status_code == 400
    assert merge(client, world, reference="CHI-2026-999999").status_code == 400
    assert not ChildMerge.objects.exists()
    assert Child.objects.get(pk=world.duplicate.pk).merged_into is None


def test_two_open_cases_cannot_be_merged(client, world):
    second = open_case_from_concern(world, submit_concern(world, child_first_name="Amy"))
    client.force_login(world.manager)
    response = merge(client, world, reference=second.child.reference)
    assert (
        response.status_code == 400
        and "Both records have an open case" in response.content.decode()
    )
