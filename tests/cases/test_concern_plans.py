"""The API's concern list has PostgreSQL plan its page generically
(``granted_ids_if_few(generic_after=True)``): PostgreSQL planned that
statement afresh on every request, for longer than it ran. The setting is
made by the grant probe itself, whichever of its answers it gives (few ids
or "many"), and lasts only to the end of the request's transaction."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from rest_framework.test import APIClient

from cases import selectors
from cases.selectors import cases as case_selectors
from tests.cases.test_restricted import world  # noqa: F401  (the fixture)
from tests.factories import submit_concern

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def _mode() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        return cursor.fetchone()[0]


@pytest.mark.parametrize("few", [5000, 0])
def test_the_probe_sets_generic_plans_for_the_rest_of_the_transaction_only(world, few, monkeypatch):  # noqa: F811
    submit_concern(world)
    monkeypatch.setattr(case_selectors, "FEW", few)
    with transaction.atomic():
        assert _mode() == "auto"
        found = selectors.visible_concern_ids_if_few(world.teacher)
        assert _mode() == "auto"  # not asked for
        again = selectors.visible_concern_ids_if_few(world.teacher, generic_after=True)
        assert again == found
        assert (found is None) == (few == 0)
        assert _mode() == "force_generic_plan"
    assert _mode() == "auto"


def test_the_api_concern_list_answers_the_same_with_its_page_planned_generically(world):  # noqa: F811
    submitted = {submit_concern(world).reference for _ in range(3)}
    client = APIClient()
    client.force_authenticate(world.teacher)
    for _ in range(7):  # past psycopg's prepare threshold: the plan PostgreSQL keeps
        listed = client.get("/api/v1/concerns/").json()["results"]
        assert submitted <= {c["reference"] for c in listed}
    assert _mode() == "auto"
