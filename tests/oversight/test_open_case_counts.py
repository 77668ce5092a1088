"""Caseloads and unallocated work stay exact as cases change: allocated,
reallocated, restricted, lifted, closed, moved to another authority. On
PostgreSQL they are read from the counts a trigger keeps
(``oversight.caseloads``); each step is checked against the cases the
manager sees, counted here by the access policy itself (``cases_for``)."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from django.db.models import Count
from django.urls import reverse

from cases.models import Case
from cases.selectors import cases_for
from cases.services.restrictions import case_lift_restriction, case_restrict
from oversight import caseloads
from oversight.models import OpenCaseCount
from tests.factories import make_user
from tests.meetings.meeting_helpers import travel
from tests.oversight.oversight_world import NOW


def on_the_page(client) -> tuple[dict[str, int], int]:
    with travel(NOW):
        response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    loads = {row.name: row.open_cases for row in response.context["caseloads"] if row.open_cases}
    waiting = response.context["unallocated"].count
    shown = re.search(r"(\d+) open cases? not allocated", response.content.decode())
    assert int(shown.group(1) if shown else 0) == waiting
    return loads, waiting


def counted_here(manager, la) -> tuple[dict[str, int], int]:
    with travel(NOW):
        seen = cases_for(manager).filter(lead_agency=la, status=Case.Status.OPEN)
        loads = Counter(
            seen.exclude(allocated_worker=None).values_list("allocated_worker__username", flat=True)
        )
        return dict(loads), seen.filter(allocated_worker=None).count()


def kept_counts_match_the_cases() -> None:
    if not caseloads.counted():
        return
    expected = {
        (row["lead_agency_id"], row["allocated_worker_id"]): row["n"]
        for row in Case.objects.filter(status="open", is_restricted=False)
        .values("lead_agency_id", "allocated_worker_id")
        .annotate(n=Count("pk"))
    }
    agencies = list(
        {key[0] for key in expected}
        | set(OpenCaseCount.objects.values_list("lead_agency_id", flat=True))
    )
    kept = caseloads.unrestricted_open(agencies, allocated=True)
    kept |= caseloads.unrestricted_open(agencies, allocated=False)
    assert kept == expected


def test_the_dashboard_follows_each_change_to_a_case(client, year):
    client.force_login(year.manager)

    def check() -> tuple[dict[str, int], int]:
        shown = on_the_page(client)
        assert shown == counted_here(year.manager, year.la)
        kept_counts_match_the_cases()
        return shown

    loads, waiting = check()
    assert waiting == 4

    # The manager allocates B to the social worker, through the case page.
    b = Case.objects.get(pk=year.b.pk)
    with travel(NOW):
        response = client.post(
            reverse("case_allocate", args=[b.pk]),
            {"worker": year.social_worker.pk, "version": b.version},
        )
    assert response.status_code == 302
    after = check()
    assert after[0]["social_worker@la"] == loads["social_worker@la"] + 1
    assert after[1] == waiting - 1

    # ... then to themselves instead.
    b.refresh_from_db()
    with travel(NOW):
        client.post(
            reverse("case_allocate", args=[b.pk]),
            {"worker": year.manager.pk, "version": b.version},
        )
    moved = check()
    assert moved[0]["social_worker@la"] == loads["social_worker@la"]
    assert moved[0]["manager@la"] == 1

    # A restricted to the social worker alone: out of the manager's figures...
    with travel(NOW):
        case_restrict(
            acting_user=year.manager,
            case=Case.objects.get(pk=year.a.pk),
            reason="A member of staff's child: only the allocated worker.",
            named_users=[year.social_worker],
        )
    restricted = check()
    assert restricted[0].get("social_worker@la", 0) == loads["social_worker@la"] - 1
    # ... but in those of a manager named on it.
    named = make_user("social_worker@la", year.la, "manager")
    assert counted_here(named, year.la)[0]["social_worker@la"] == loads["social_worker@la"]
    # Lifted (by the manager named on it): back in.
    with travel(NOW):
        case_lift_restriction(
            acting_user=named, case=Case.objects.get(pk=year.a.pk), reason="Reviewed."
        )
    assert check() == moved

    # Closed, and moved to another authority: out of the open cases here.
    Case.objects.filter(pk=year.b.pk).update(status=Case.Status.CLOSED)
    assert "manager@la" not in check()[0]
    Case.objects.filter(pk=year.c.pk).update(lead_agency=year.other_la)
    assert check()[1] == waiting - 2
    Case.objects.filter(pk=year.b.pk).update(status=Case.Status.OPEN)
    assert check()[0]["manager@la"] == 1


@pytest.mark.postgres
def test_folding_the_kept_rows_changes_no_count(year):
    Case.objects.filter(pk=year.b.pk).update(allocated_worker=year.social_worker)
    Case.objects.filter(pk=year.b.pk).update(allocated_worker=year.manager)
    Case.objects.filter(pk=year.d.pk).update(status=Case.Status.CLOSED)
    before = counted_here(year.manager, year.la)
    rows = OpenCaseCount.objects.count()
    assert caseloads.compact() == rows
    keys = OpenCaseCount.objects.values("lead_agency_id", "worker_id").distinct().count()
    assert OpenCaseCount.objects.count() == keys < rows
    assert not OpenCaseCount.objects.filter(cases=0).exists()
    kept_counts_match_the_cases()
    assert counted_here(year.manager, year.la) == before
    # Again: nothing left to fold.
    assert caseloads.compact() == keys
    kept_counts_match_the_cases()


@pytest.mark.postgres
def test_a_save_that_changes_none_of_the_counted_columns_appends_nothing(year):
    rows = OpenCaseCount.objects.count()
    case = Case.objects.get(pk=year.a.pk)
    case.save()  # every column written, none changed
    Case.objects.filter(pk=year.a.pk).update(team=None)
    assert OpenCaseCount.objects.count() == rows
