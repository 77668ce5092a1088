"""A person this process found to see many concerns has their next API
concern lists walked without counting their grants again
(``cases.selectors.many``): what each list holds still follows their access
at that moment, and the grants are counted afresh once the memory is old."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from cases.selectors import cases as case_selectors
from cases.selectors import concerns as concern_selectors
from cases.selectors import many
from cases.services.restrictions import case_restrict
from tests.factories import World, open_case_from_concern, submit_concern

pytestmark = pytest.mark.django_db


@pytest.fixture
def probes(monkeypatch) -> list:
    """Each count of the person's concern grants (``granted_ids_if_few``)."""
    asked: list = []
    count = concern_selectors.granted_ids_if_few

    def counted(*args, **kwargs):
        asked.append(args[0])
        return count(*args, **kwargs)

    monkeypatch.setattr(concern_selectors, "granted_ids_if_few", counted)
    return asked


def _listed(user) -> list[str]:
    """The references the person's API concern list shows."""
    client = APIClient()
    client.force_authenticate(user)
    response = client.get("/api/v1/concerns/")
    assert response.status_code == 200
    return [c["reference"] for c in response.json()["results"]]


def test_a_list_remembers_many_and_still_follows_access(probes, monkeypatch):
    world = World()
    concerns = [submit_concern(world) for _ in range(3)]
    case = open_case_from_concern(world, concerns[0])
    # Three concerns at her front door are "many" when few is one.
    monkeypatch.setattr(case_selectors, "FEW", 1)
    duty = world.social_worker

    counted = _listed(duty)
    assert {c.reference for c in concerns} <= set(counted)
    assert len(probes) == 1
    with CaptureQueriesContext(connection) as queries:
        remembered = _listed(duty)
    assert remembered == counted
    assert len(probes) == 1, "not counted again"
    if connection.vendor == "postgresql":
        # What the count also did: the page is still planned generically.
        assert any("plan_cache_mode" in q["sql"] for q in queries.captured_queries)

    # The case opened from the first concern is restricted to the manager: the
    # duty worker no longer sees its concern, remembered as seeing many or not.
    case_restrict(
        acting_user=world.manager,
        case=case,
        reason="The child of a member of staff in the duty team.",
        named_users=[world.manager],
    )
    after = _listed(duty)
    assert len(probes) == 1
    assert after == [r for r in counted if r != concerns[0].reference]

    # Once the memory is older than it may be, the grants are counted again.
    monkeypatch.setattr(many, "MANY_REMEMBERED_SECONDS", 0.0)
    assert _listed(duty) == after
    assert len(probes) == 2


def test_someone_who_sees_few_is_counted_each_time(probes):
    world = World()
    submit_concern(world)
    duty = world.social_worker
    assert _listed(duty) == _listed(duty)
    assert len(probes) == 2
    assert not many.remembered_many(duty, "concerns")
