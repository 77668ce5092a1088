"""The chair's record page shows only what the record holds (issue 14 item 7).

The clocks propose the first core group and the review conference; the page
offers those dates beside their boxes, unticked, and never types them in: a
box that shows a date the record does not hold would let the finalise page
say "enter the first core group" under a filled-in box, or a record hold a
date nobody said. Ticking the offer and saving is the chair saying it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from meetings.clocks import proposed_next_dates
from tests.meetings.meeting_helpers import STRATEGY_DAY, at, travel
from tests.meetings.test_meetings import date_fields, schedule_icpc, world  # noqa: F401

pytestmark = pytest.mark.django_db

HELD = dt.date(2026, 12, 22)


def _box_values(page: str, name: str) -> list[str]:
    """Day, month and year as the page fills them in."""
    values = []
    for i in range(3):
        tag = re.search(rf'<input[^>]*name="{name}_{i}"[^>]*>', page).group(0)
        value = re.search(r'value="([^"]*)"', tag)
        values.append(value.group(1) if value else "")
    return values


def _post(icpc, subject, **extra) -> dict:
    icpc.refresh_from_db()
    data = {
        "version": icpc.version,
        f"decision-{subject.pk}": "plan",
        f"category-{subject.pk}": "NEG",
        f"decision_notes-{subject.pk}": "Neglect over two years.",
    }
    data.update(extra)
    return data


@pytest.fixture
def held(world):  # noqa: F811
    with travel(STRATEGY_DAY + dt.timedelta(days=1)):
        icpc = schedule_icpc(world, HELD)
    return icpc


def test_proposed_dates_are_offered_not_typed_in_and_finalising_agrees(client, world, held):  # noqa: F811
    subject = held.subjects.get()
    proposed = proposed_next_dates(held, subject)
    core, review = proposed["first_core_group_on"], proposed["next_review_on"]
    with travel(at(HELD, 13)):
        client.force_login(world.chair)
        page = client.get(reverse("meeting_record", args=[held.pk])).content.decode()
        # The boxes are empty, as the record is; the proposals are offered, unticked.
        assert _box_values(page, f"first_core_group_on-{subject.pk}") == ["", "", ""]
        assert _box_values(page, f"next_review_on-{subject.pk}") == ["", "", ""]
        assert f"Use the proposed date, {core.day} {core:%B %Y}" in page
        assert f"Use the proposed date, {review.day} {review:%B %Y}" in page
        assert not re.search(rf'name="use-first_core_group_on-{subject.pk}"[^>]*checked', page)

        # Saved without choosing: the record holds no dates, and finalising says so.
        url = reverse("meeting_record", args=[held.pk])
        assert client.post(url, _post(held, subject)).status_code == 302
        subject.refresh_from_db()
        assert subject.first_core_group_on is None and subject.next_review_on is None
        finalise = client.get(reverse("meeting_finalise", args=[held.pk])).content.decode()
        assert "Enter the first core group" in finalise
        page = client.get(url).content.decode()
        assert _box_values(page, f"first_core_group_on-{subject.pk}") == ["", "", ""]

        # Choosing the proposals saves exactly them, and the page then shows them in the boxes.
        data = _post(
            held,
            subject,
            **{
                f"use-first_core_group_on-{subject.pk}": "on",
                f"use-next_review_on-{subject.pk}": "on",
            },
        )
        assert client.post(url, data).status_code == 302
        subject.refresh_from_db()
        assert (subject.first_core_group_on, subject.next_review_on) == (core, review)
        page = client.get(url).content.decode()
        assert _box_values(page, f"first_core_group_on-{subject.pk}") == [
            str(core.day),
            str(core.month),
            str(core.year),
        ]
        assert "Use the proposed date" not in page
        finalise = client.get(reverse("meeting_finalise", args=[held.pk])).content.decode()
        assert "Enter the first core group" not in finalise


def test_autosave_repeating_the_tick_keeps_the_date_and_a_typed_date_wins_nothing_silently(
    client,
    world,  # noqa: F811
    held,
):
    subject = held.subjects.get()
    core = proposed_next_dates(held, subject)["first_core_group_on"]
    url = reverse("meeting_record", args=[held.pk])
    tick = {f"use-first_core_group_on-{subject.pk}": "on"}
    with travel(at(HELD, 13)):
        client.force_login(world.chair)
        # The page that ticked the box autosaves again, boxes still empty: same date.
        for _ in range(2):
            response = client.post(url, _post(held, subject, autosave="1", **tick))
            assert response.status_code == 200, response.content
            subject.refresh_from_db()
            assert subject.first_core_group_on == core
        # Ticked and typed: which did the chair mean? They are asked, nothing is saved.
        typed = date_fields(f"first_core_group_on-{subject.pk}", core - dt.timedelta(days=1))
        held.refresh_from_db()
        subject.first_core_group_on = None
        subject.save(update_fields=["first_core_group_on"])
        response = client.post(url, _post(held, subject, **tick, **typed))
        assert response.status_code == 400
        assert "Type a date or use the proposed one, not both" in response.content.decode()
        subject.refresh_from_db()
        assert subject.first_core_group_on is None
