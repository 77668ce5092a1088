"""A record never holds what nobody said: a concern logged without a time has
none, on its page, in the API and in the chronology (SPEC 3.3, issue 14)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from cases.models import ChronologyEntry, Concern
from tests.cases.test_concern_pages import concern_post, login, with_agencies
from tests.factories import World, open_case_from_concern

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return World()


def _log(client, world, time):
    login(client, world.teacher)
    response = client.post(
        reverse("concern_create"), with_agencies(world, concern_post(observed_time=time))
    )
    assert response.status_code == 302
    return Concern.objects.get()


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_concern_saved_without_a_time_has_none(client, world):
    concern = _log(client, world, "")
    today = timezone.localdate()
    assert concern.observed_at is None
    assert concern.observed_on == today

    page = client.get(reverse("concern_detail", args=[concern.pk])).content.decode()
    assert "time not recorded" in page and "12:00" not in page

    body = _api(world.teacher).get(f"/api/v1/concerns/{concern.pk}/").json()
    assert body["observed_at"] is None
    assert body["observed_on"] == today.isoformat()

    case = open_case_from_concern(world, concern)
    entry = ChronologyEntry.objects.get(case=case, kind=ChronologyEntry.Kind.CONCERN)
    assert "time not recorded" in entry.body and "12:00" not in entry.body
    login(client, world.social_worker)
    page = client.get(reverse("concern_triage", args=[concern.pk])).content.decode()
    assert "time not recorded" in page
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "time not recorded" in page


def test_a_time_given_is_kept_exactly(client, world):
    with_time = timezone.localdate() - dt.timedelta(days=1)
    login(client, world.teacher)
    client.post(
        reverse("concern_create"),
        with_agencies(
            world,
            concern_post(
                observed_on_0=str(with_time.day),
                observed_on_1=str(with_time.month),
                observed_on_2=str(with_time.year),
                observed_time="08:40",
            ),
        ),
    )
    concern = Concern.objects.get()
    local = timezone.localtime(concern.observed_at)
    assert (local.date(), local.time()) == (with_time, dt.time(8, 40))
    assert concern.observed_on == with_time
    page = client.get(reverse("concern_detail", args=[concern.pk])).content.decode()
    assert "08:40" in page and "time not recorded" not in page
    body = _api(world.teacher).get(f"/api/v1/concerns/{concern.pk}/").json()
    assert body["observed_at"] is not None and body["observed_on"] == with_time.isoformat()
    case = open_case_from_concern(world, concern)
    entry = ChronologyEntry.objects.get(case=case, kind=ChronologyEntry.Kind.CONCERN)
    assert "08:40" in entry.body


def test_the_api_takes_a_day_alone_and_keeps_the_time_unknown(world):
    from tests.cases.test_api import new_concern

    day = timezone.localdate() - dt.timedelta(days=2)
    response = _api(world.teacher).post(
        "/api/v1/concerns/",
        new_concern(observed_at=..., observed_on=day.isoformat()),
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["observed_at"] is None
    concern = Concern.objects.get()
    assert concern.observed_at is None and concern.observed_on == day
    future = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = _api(world.teacher).post(
        "/api/v1/concerns/", new_concern(observed_at=..., observed_on=future), format="json"
    )
    assert response.status_code == 400 and "observed_on" in response.json()["errors"]
