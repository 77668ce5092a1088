"""Managers allocating cases at the same moment, on real PostgreSQL
connections, while the beat folds the counts: nobody waits on a counter,
nothing deadlocks, and the counts are exact afterwards. Apart from
test_open_case_counts.py because it commits (its transaction=True world)."""

from __future__ import annotations

import pytest
from django.db.models import Count
from django.test import override_settings

from cases import services
from cases.models import Case
from oversight import caseloads
from oversight.selectors import open_case_counts
from tests.concurrency.conftest import at_once
from tests.factories import World


def open_unallocated(world: World, n: int) -> list[Case]:
    cases = []
    for i in range(n):
        child = services.child_create(
            acting_user=world.social_worker,
            lead_agency=world.la,
            first_name=f"Child{i}",
            last_name="Counted",
        )
        cases.append(
            services.case_open(acting_user=world.social_worker, child=child, lead_agency=world.la)
        )
    return cases


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@override_settings(CELERY_TASK_ALWAYS_EAGER=True)
def test_allocations_at_once_leave_exact_counts():
    world = World()
    cases = open_unallocated(world, 6)
    workers = [world.social_worker, world.manager]

    def allocate(case: Case, worker) -> None:
        services.case_allocate(acting_user=world.manager, case=case, worker=worker)

    calls = [(lambda c=case, w=workers[i % 2]: allocate(c, w)) for i, case in enumerate(cases)]
    race = at_once([*calls, caseloads.compact, caseloads.compact])
    assert race.errors == []
    expected = {
        (row["lead_agency_id"], row["allocated_worker_id"]): row["n"]
        for row in Case.objects.filter(lead_agency=world.la, status="open")
        .values("lead_agency_id", "allocated_worker_id")
        .annotate(n=Count("pk"))
    }
    assert expected == {
        (world.la.pk, world.social_worker.pk): 3,
        (world.la.pk, world.manager.pk): 3,
    }
    assert open_case_counts(world.manager, [world.la.pk], allocated=True) == expected
    assert open_case_counts(world.manager, [world.la.pk], allocated=False) == {}
    caseloads.compact()
    assert open_case_counts(world.manager, [world.la.pk], allocated=True) == expected
