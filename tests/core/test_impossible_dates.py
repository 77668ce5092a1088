"""Impossible dates are refused on every page and API field, by one rule
(safeguard/core/dates.py): dates of birth neither in the future nor before
1900, events not before 1900, due dates within DUE_DATE_HORIZON_DAYS."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from cases.models import CaseAction, ChronologyEntry, Concern
from safeguard.core.dates import DateKind, date_problem, latest_due_date
from tests.cases.test_concern_pages import concern_post, login, with_agencies
from tests.factories import World, open_case_from_concern, submit_concern

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return World()


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def field_errors(response) -> dict:
    """The API's field errors: ``{"detail", "errors": {field: [...]}}``."""
    body = response.json()
    return body.get("errors", body)


def date_parts(name: str, day: dt.date | tuple) -> dict:
    d, m, y = (day.day, day.month, day.year) if isinstance(day, dt.date) else day
    return {f"{name}_0": str(d), f"{name}_1": str(m), f"{name}_2": f"{y:04d}"}


# The rule itself --------------------------------------------------------------------


def test_the_bounds_of_each_kind(settings):
    today = timezone.localdate()
    assert date_problem(dt.date(1899, 12, 31), DateKind.EVENT, "The date") == (
        "The date must be in 1900 or later"
    )
    assert date_problem(dt.date(1900, 1, 1), DateKind.EVENT, "The date") is None
    assert date_problem(today + dt.timedelta(days=3000), DateKind.EVENT, "The date") is None
    assert date_problem(today, DateKind.BIRTH, "Date of birth") is None
    assert date_problem(today + dt.timedelta(days=1), DateKind.BIRTH, "Date of birth") == (
        "Date of birth must be today or in the past"
    )
    assert date_problem(dt.date(1, 1, 1), DateKind.BIRTH, "Date of birth") == (
        "Date of birth must be in 1900 or later"
    )
    horizon = today + dt.timedelta(days=settings.DUE_DATE_HORIZON_DAYS)
    assert date_problem(horizon, DateKind.DUE, "The due date") is None
    assert date_problem(horizon + dt.timedelta(days=1), DateKind.DUE, "The due date") == (
        f"The due date must be no later than {horizon:%-d %B %Y}"
    )
    settings.DUE_DATE_HORIZON_DAYS = 30  # the horizon is the council's to set
    assert latest_due_date() == today + dt.timedelta(days=30)
    assert date_problem(today + dt.timedelta(days=31), DateKind.DUE, "The due date")


# Dates of birth ---------------------------------------------------------------------


@pytest.mark.parametrize("year", [1, 1899])
def test_a_date_of_birth_before_1900_is_refused_on_the_concern_page(client, world, year):
    login(client, world.teacher)
    data = with_agencies(world, concern_post(**date_parts("child_date_of_birth", (1, 1, year))))
    response = client.post(reverse("concern_create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["child_date_of_birth"] == [
        "Child's date of birth must be in 1900 or later"
    ]
    page = response.content.decode()
    assert "There is a problem" in page
    assert f'value="{year:04d}"' in page  # what was typed is shown again
    assert not Concern.objects.exclude(status=Concern.Status.DRAFT).exists()


def test_a_date_of_birth_in_the_future_is_refused_on_the_concern_page(client, world):
    login(client, world.teacher)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    data = with_agencies(world, concern_post(**date_parts("child_date_of_birth", tomorrow)))
    response = client.post(reverse("concern_create"), data)
    assert "must be today or in the past" in " ".join(
        response.context["form"].errors["child_date_of_birth"]
    )


@pytest.mark.parametrize(
    "value, message",
    [
        ("0001-01-01", "Date of birth must be in 1900 or later"),
        ("2999-01-01", "Date of birth must be today or in the past"),
    ],
)
def test_an_impossible_date_of_birth_is_refused_by_the_api(world, value, message):
    from tests.cases.test_api import new_concern

    response = api(world.teacher).post(
        "/api/v1/concerns/", new_concern(child_date_of_birth=value), format="json"
    )
    assert response.status_code == 400
    assert field_errors(response)["child_date_of_birth"] == [message]
    assert not Concern.objects.exists()


def test_a_child_record_refuses_a_date_of_birth_before_1900_through_the_api(world):
    concern = submit_concern(world)
    case = open_case_from_concern(world, concern)
    child = case.child
    client = api(world.social_worker)
    current = client.get(f"/api/v1/children/{child.pk}/")
    assert current.status_code == 200, current.content
    body = {
        k: v
        for k, v in current.json().items()
        if k
        in {
            "first_name",
            "last_name",
            "other_names",
            "sex",
            "gender",
            "ethnicity",
            "disabilities",
        }
    }
    response = client.patch(
        f"/api/v1/children/{child.pk}/",
        {**body, "date_of_birth": "1066-10-14"},
        format="json",
        HTTP_IF_MATCH=current["ETag"],
    )
    assert response.status_code == 400, response.content
    assert field_errors(response)["date_of_birth"] == ["Date of birth must be in 1900 or later"]
    child.refresh_from_db()
    assert child.date_of_birth == concern.child_date_of_birth


# Events -----------------------------------------------------------------------------


def test_a_chronology_entry_in_year_1_is_refused_on_the_page(client, world):
    case = open_case_from_concern(world, submit_concern(world))
    client.force_login(world.social_worker)
    response = client.post(
        reverse("case_chronology_add", args=[case.pk]),
        {**date_parts("occurred_on", (1, 1, 1)), "title": "Born in the year 1", "body": ""},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "The date it happened must be in 1900 or later" in page
    assert "Born in the year 1" in page  # what was typed is kept
    assert not ChronologyEntry.objects.filter(title="Born in the year 1").exists()


BEFORE_1900 = "The date it happened must be in 1900 or later"


def test_a_concern_observed_before_1900_is_refused_by_the_api(world):
    from tests.cases.test_api import new_concern

    response = api(world.teacher).post(
        "/api/v1/concerns/",
        new_concern(observed_at=None, observed_on="0001-01-01"),
        format="json",
    )
    assert response.status_code == 400
    assert field_errors(response)["observed_on"] == [BEFORE_1900]
    response = api(world.teacher).post(
        "/api/v1/concerns/",
        new_concern(observed_at="1850-06-01T10:00:00Z"),
        format="json",
    )
    assert response.status_code == 400
    assert field_errors(response)["observed_at"] == [BEFORE_1900]
    assert not Concern.objects.exists()


def test_a_concern_observed_before_1900_is_refused_on_the_page(client, world):
    login(client, world.teacher)
    data = with_agencies(world, concern_post(**date_parts("observed_on", (31, 12, 1899))))
    response = client.post(reverse("concern_create"), data)
    assert response.context["form"].errors["observed_on"] == [
        "The date it happened must be in 1900 or later"
    ]


# Due dates --------------------------------------------------------------------------


def test_an_action_due_in_9999_is_refused_on_the_page(client, world):
    case = open_case_from_concern(world, submit_concern(world))
    client.force_login(world.social_worker)
    response = client.post(
        reverse("case_action_add", args=[case.pk]),
        {
            "description": "Check attendance",
            "agency": world.school.pk,
            "owner": "",
            **date_parts("due_on", (31, 12, 9999)),
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert f"The due date must be no later than {latest_due_date():%-d %B %Y}" in page
    assert "Check attendance" in page
    assert not CaseAction.objects.exists()


def test_an_action_due_past_the_horizon_is_refused_by_the_api(world, settings):
    case = open_case_from_concern(world, submit_concern(world))
    client = api(world.social_worker)

    def add(due: dt.date):
        return client.post(
            f"/api/v1/cases/{case.pk}/actions/",
            {"description": "Check attendance", "agency": "school", "due_on": due.isoformat()},
            format="json",
        )

    response = add(dt.date(9999, 12, 31))
    assert response.status_code == 400
    assert field_errors(response)["due_on"] == [
        f"The due date must be no later than {latest_due_date():%-d %B %Y}"
    ]
    assert add(latest_due_date()).status_code == 201
    settings.DUE_DATE_HORIZON_DAYS = 7
    assert add(timezone.localdate() + dt.timedelta(days=8)).status_code == 400
    assert CaseAction.objects.count() == 1
