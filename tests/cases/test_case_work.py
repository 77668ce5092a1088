"""Allocation and the chronology: events added by hand, and filters."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import selectors
from cases.models import ChronologyEntry
from safeguard.notifications.models import Notification
from tests.factories import World, make_user, open_case_from_concern, submit_concern

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    w = World()
    w.case = open_case_from_concern(w, submit_concern(w))
    w.worker2 = make_user("worker2@la", w.la, "social_worker")
    return w


def test_a_manager_allocates_and_the_worker_is_told(client, world):
    client.force_login(world.manager)
    response = client.post(
        reverse("case_allocate", args=[world.case.pk]),
        {"worker": world.worker2.pk, "version": world.case.version},
    )
    assert response.status_code == 302
    world.case.refresh_from_db()
    assert world.case.allocated_worker == world.worker2
    assert Notification.objects.filter(recipient=world.worker2, kind="allocation").exists()
    assert ChronologyEntry.objects.filter(case=world.case, kind="allocation").exists()
    assert selectors.has_lead_access(world.worker2, world.case)


def test_only_lead_managers_allocate(client, world):
    for user in (world.social_worker, world.teacher, world.other_manager):
        client.force_login(user)
        response = client.post(
            reverse("case_allocate", args=[world.case.pk]),
            {"worker": world.worker2.pk, "version": world.case.version},
        )
        assert response.status_code == 404
    client.force_login(world.manager)
    outsider = client.post(
        reverse("case_allocate", args=[world.case.pk]),
        {"worker": world.teacher.pk, "version": world.case.version},
    )
    assert outsider.status_code == 400


def test_any_agency_on_the_case_adds_events_and_lead_only_stays_with_the_lead(client, world):
    today = timezone.localdate()
    client.force_login(world.teacher)
    response = client.post(
        reverse("case_chronology_add", args=[world.case.pk]),
        {
            "occurred_on_0": today.day,
            "occurred_on_1": today.month,
            "occurred_on_2": today.year,
            "title": "Absent from school all week",
            "body": "",
        },
    )
    assert response.status_code == 302
    entry = ChronologyEntry.objects.get(title="Absent from school all week")
    assert entry.agency == world.school and entry.visibility == "shared"
    # The school cannot keep entries to itself from the lead agency.
    client.post(
        reverse("case_chronology_add", args=[world.case.pk]),
        {
            "occurred_on_0": today.day,
            "occurred_on_1": today.month,
            "occurred_on_2": today.year,
            "title": "Sneaky",
            "lead_only": "on",
        },
    )
    assert ChronologyEntry.objects.get(title="Sneaky").visibility == "shared"
    client.force_login(world.social_worker)
    client.post(
        reverse("case_chronology_add", args=[world.case.pk]),
        {
            "occurred_on_0": today.day,
            "occurred_on_1": today.month,
            "occurred_on_2": today.year,
            "title": "Legal advice sought",
            "lead_only": "on",
        },
    )
    assert ChronologyEntry.objects.get(title="Legal advice sought").visibility == "lead_only"
    client.force_login(world.teacher)
    page = client.get(reverse("case_detail", args=[world.case.pk])).content.decode()
    assert "Absent from school all week" in page and "Legal advice sought" not in page


def test_a_future_date_is_refused_and_the_typed_title_kept(client, world):
    future = timezone.localdate() + dt.timedelta(days=3)
    client.force_login(world.social_worker)
    response = client.post(
        reverse("case_chronology_add", args=[world.case.pk]),
        {
            "occurred_on_0": future.day,
            "occurred_on_1": future.month,
            "occurred_on_2": future.year,
            "title": "Visit planned",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "must be today or in the past" in page and 'value="Visit planned"' in page


def test_the_chronology_filters_by_agency_type_and_date(client, world):
    old = timezone.now() - dt.timedelta(days=400)
    ChronologyEntry.objects.create(
        case=world.case,
        occurred_at=old,
        agency=world.police,
        kind="note",
        title="Old police call-out",
    )
    client.force_login(world.social_worker)
    url = reverse("case_detail", args=[world.case.pk])
    titles = lambda r: [e.title for e in r.context["chronology"]]  # noqa: E731
    by_agency = client.get(url, {"agency": world.school.pk})
    assert set(titles(by_agency)) == {"Hill School involved", "Concern logged by Hill School"}
    # An agency with no part in the case is not a filter choice: the page says so.
    assert "Select a valid choice" in client.get(url, {"agency": world.police.pk}).content.decode()
    by_kind = client.get(url, {"kind": "case_opened"})
    assert titles(by_kind) == ["Case opened"]
    since = timezone.localdate() - dt.timedelta(days=30)
    recent = client.get(
        url, {"date_from_0": since.day, "date_from_1": since.month, "date_from_2": since.year}
    )
    assert "Old police call-out" not in titles(recent) and "Case opened" in titles(recent)
