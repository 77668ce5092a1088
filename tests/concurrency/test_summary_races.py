"""A summary asked for eight times at the same moment (a double click, two tabs)
is one summary: one row, one audit row, one render, every request answered
with it. The unique index decides, not a read that all eight pass at once."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from summaries import services as summaries
from summaries.models import CaseSummary
from tests.concurrency.conftest import N, at_once, audit_count
from tests.factories import World, open_case_from_concern, submit_concern

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = str(tmp_path)
    w = World()
    w.case = open_case_from_concern(w, submit_concern(w))
    # Count the hand-overs to the worker rather than render eight PDFs.
    w.dispatched = []
    monkeypatch.setattr(summaries, "dispatch_summary", w.dispatched.append)
    return w


def test_eight_identical_requests_at_once_make_one_summary(world):
    race = at_once(
        [lambda: summaries.summary_request(acting_user=world.manager, case=world.case)] * N
    )
    race.assert_only()
    assert CaseSummary.objects.count() == 1
    summary = CaseSummary.objects.get()
    assert {s.pk for s in race.wins} == {summary.pk}
    assert audit_count("case_summary_requested") == 1
    assert world.dispatched == [summary.pk]


def test_the_index_refuses_a_second_pending_request_even_without_the_check(world):
    first = summaries.summary_request(acting_user=world.manager, case=world.case)
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseSummary.objects.create(case=world.case, requested_by=world.manager)
    # Once the first is finished, the same request makes a new one.
    CaseSummary.objects.filter(pk=first.pk).update(status=CaseSummary.Status.READY)
    again = summaries.summary_request(acting_user=world.manager, case=world.case)
    assert again.pk != first.pk


def test_eight_clicks_on_the_page_at_once_lead_to_one_summary_and_no_server_error(world):
    clients = []
    for _ in range(N):
        client = Client()  # a view's exception is raised into the test: a 500 fails it
        client.force_login(world.manager)
        clients.append(client)
    url = reverse("case_summaries", args=[world.case.pk])
    race = at_once([(lambda c=c: c.post(url, {})) for c in clients], atomic=False)
    race.assert_only()
    summary = CaseSummary.objects.get()
    status_page = reverse("case_summary_status", args=[world.case.pk, summary.pk])
    assert [r.status_code for r in race.wins] == [302] * N
    assert {r["Location"] for r in race.wins} == {status_page}
    assert audit_count("case_summary_requested") == 1
