"""Merging duplicate child records over the API: the page's services,
permissions and audit."""

import pytest

from cases.models import Child, Concern
from cases.services import child_create, concern_link_child
from safeguard.audit.models import AuditEvent
from tests.cases.api_world import api, assert_error, case_world
from tests.factories import open_case_from_concern, submit_concern

pytestmark = pytest.mark.django_db

REASON = "Same child: same school, address, mother."


@pytest.fixture
def world():
    w = case_world()
    w.duplicate = child_create(
        acting_user=w.social_worker, lead_agency=w.la, first_name="Amelia", last_name="Heart"
    )
    w.other_concern = submit_concern(w, child_last_name="Heart")
    concern_link_child(acting_user=w.social_worker, concern=w.other_concern, child=w.duplicate)
    return w


def merges_url(world):
    return f"/api/v1/cases/{world.case.pk}/child/merges/"


def test_a_manager_merges_a_duplicate_and_undoes_it(world):
    client = api(world.manager)
    response = client.post(
        merges_url(world), {"reference": world.duplicate.reference, "reason": REASON}
    )
    assert response.status_code == 201, response.content
    merge = response.json()
    assert merge["merged"] == world.duplicate.reference and merge["undone_at"] is None
    assert Child.objects.get(pk=world.duplicate.pk).merged_into == world.case.child
    assert Concern.objects.get(pk=world.other_concern.pk).child == world.case.child
    assert AuditEvent.objects.filter(event="child_merged").exists()
    listed = client.get(merges_url(world)).json()["results"]
    assert [m["id"] for m in listed] == [merge["id"]]

    undone = client.post(f"{merges_url(world)}{merge['id']}/undo/")
    assert undone.status_code == 200 and undone.json()["undone_by"] == "manager@la"
    assert Child.objects.get(pk=world.duplicate.pk).merged_into is None
    assert AuditEvent.objects.filter(event="child_merge_undone").exists()
    assert_error(client.post(f"{merges_url(world)}{merge['id']}/undo/"), 400)


def test_bad_merges_are_refused_with_the_error_body(world):
    client = api(world.manager)
    assert_error(client.post(merges_url(world), {}), 400, "reference", "reason")
    for reference in (world.case.child.reference, "CHI-2026-999999"):
        body = {"reference": reference, "reason": REASON}
        assert_error(client.post(merges_url(world), body), 400, "reference")
    second = open_case_from_concern(world, submit_concern(world, child_last_name="Hearty"))
    body = {"reference": second.child.reference, "reason": REASON}
    assert_error(client.post(merges_url(world), body), 400, "reference")
    assert not Child.objects.filter(merged_into__isnull=False).exists()


def test_only_lead_managers_merge(world):
    body = {"reference": world.duplicate.reference, "reason": REASON}
    for user in (world.social_worker, world.teacher, world.officer, *world.unrelated_users()):
        assert_error(api(user).get(merges_url(world)), 404)
        assert_error(api(user).post(merges_url(world), body), 404)
    assert Child.objects.get(pk=world.duplicate.pk).merged_into is None
