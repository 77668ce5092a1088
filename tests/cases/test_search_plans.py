"""The header search has PostgreSQL plan its statements generically, once per
process and connection, except a form that reads a person's grants first
(cases.selectors.search_scope.search_rule): so the matcher's statement is
prepared and reused across people. Whoever searched before, each person's
page shows the children their own access allows, and an involvement that
ends between two searches takes its child off the next one."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.db import connection
from django.urls import reverse

from cases.models import Child
from cases.selectors import search_scope
from cases.services.case import involvement_end
from tests.factories import World, open_case_from_concern, submit_concern

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

NHS = "9434765919"


@pytest.fixture
def world():
    w = World()
    w.amelia = open_case_from_concern(w, submit_concern(w))
    w.jack = open_case_from_concern(
        w, submit_concern(w, w.officer, w.police, child_first_name="Jack")
    )
    w.other = open_case_from_concern(w, submit_concern(w, child_first_name="Ruby"))
    for case, nhs in ((w.amelia, NHS), (w.jack, "4010232137"), (w.other, "4857773456")):
        Child.objects.filter(pk=case.child_id).update(nhs_number=nhs, postcode="NS1 2AB")
    return w


def shown(client, user, text: str) -> str:
    client.force_login(user)
    response = client.get(f"{reverse('search')}?{urlencode({'q': text})}")
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def pool_plans(monkeypatch):
    """The plan mode in force when each matcher statement ran."""
    seen: list[str] = []

    def watch(execute, sql, params, many, context):
        if ") arm0" in sql:
            with connection.connection.cursor() as cursor:  # the driver's: not watched
                cursor.execute("SELECT current_setting('plan_cache_mode')")
                seen.append(cursor.fetchone()[0])
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        yield seen


def test_each_person_past_the_prepared_plan_sees_their_own(world, client, pool_plans):
    w = world
    people = [
        (w.teacher, {w.amelia, w.other}),  # the school reported both
        (w.officer, {w.jack}),  # the police, one
        (w.social_worker, {w.amelia, w.jack, w.other}),  # the front door, all
        (w.other_social_worker, set()),  # another authority, none
    ]
    for _ in range(8):  # past PostgreSQL's five runs before a plan is kept
        for user, theirs in people:
            # All three are Harts at one postcode; the NHS number is Amelia's.
            for text in ("NS1 2AB", NHS, "Amelia Hart"):
                page = shown(client, user, text)
                expected = {c for c in theirs if text != NHS or c is w.amelia}
                for case in (w.amelia, w.jack, w.other):
                    assert (case.child.reference in page) == (case in expected), (user, text)
    # Generic plans but for a search by name of someone who works no front
    # door, whose grants may be read first: PostgreSQL's own choice there.
    assert set(pool_plans) == {"force_generic_plan", "auto"}

    # The school's involvement in Amelia's case ends: she is gone from the
    # teacher's next search, and still the front door's.
    involvement_end(acting_user=w.manager, involvement=w.amelia.involvements.get(agency=w.school))
    for text in ("NS1 2AB", NHS, "Amelia Hart"):
        assert w.amelia.child.reference not in shown(client, w.teacher, text), text
        assert w.amelia.child.reference in shown(client, w.social_worker, text), text


@pytest.mark.parametrize("form", [search_scope.SEEN_CHILDREN, search_scope.GRANTED_CASES])
def test_a_form_that_reads_grants_first_is_planned_for_its_values(
    world, client, pool_plans, monkeypatch, form
):
    """Generic, such a statement would plan the grants as millions of rows
    and probe them row by row (seconds at a county's scale)."""
    monkeypatch.setattr(search_scope, "cheapest", lambda grants, read: form)
    page = shown(client, world.teacher, "Hart")
    assert world.amelia.child.reference in page and world.jack.child.reference not in page
    assert pool_plans == ["auto"]
    # A front door's search by name, an identifier, a postcode: generic.
    shown(client, world.social_worker, "Hart")
    shown(client, world.teacher, NHS)
    shown(client, world.teacher, "NS1 2AB")
    assert pool_plans == ["auto", "force_generic_plan", "force_generic_plan", "force_generic_plan"]
