"""Issue 14 item 5 in the browser: from a front-door decision for a strategy
discussion through to the first core group, each page that follows a decision
says what happens next, with the due date from the clock, and offers only
what applies. axe checks every page."""

from __future__ import annotations

import datetime as dt

import pytest

from meetings import services as meetings
from meetings.models import Meeting
from tests.e2e.helpers import assert_accessible, sign_in, sign_out
from tests.factories import PASSWORD, World, open_case_from_concern, submit_concern
from tests.meetings.meeting_helpers import (
    LONDON,
    STRATEGY_DAY,
    at,
    held_strategy_discussion,
    travel,
)
from tests.meetings.test_meetings import finalise

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def steps_text(page) -> str:
    return page.get_by_test_id("next-steps").inner_text()


def test_what_happens_next_from_a_strategy_decision_to_the_first_core_group(live_server, page):
    base = live_server.url
    with travel(dt.datetime(2026, 12, 1, 9, 0, tzinfo=LONDON)):
        world = World()
        case = open_case_from_concern(world, submit_concern(world), decision="strategy")

        # The manager sees the new case unallocated, with nobody preselected.
        sign_in(page, base, world.manager.username, PASSWORD)
        page.goto(f"{base}/cases/{case.pk}/")
        assert_accessible(page)
        text = steps_text(page)
        assert "Allocate the case" in text and "Arrange the strategy discussion" in text
        assert "Arrange the initial child protection conference" not in text
        assert page.get_by_label("Allocate to").input_value() == ""
        page.get_by_role("link", name="Allocate the case").click()
        page.get_by_label("Allocate to").select_option(label=world.social_worker.username)
        page.get_by_role("button", name="Allocate", exact=True).click()
        assert "Allocate the case" not in steps_text(page)
        assert_accessible(page)
        sign_out(page)

        # The social worker is offered the strategy discussion.
        sign_in(page, base, world.social_worker.username, PASSWORD)
        page.goto(f"{base}/cases/{case.pk}/")
        page.get_by_role("link", name="Arrange the strategy discussion").click()
        assert page.locator("h1").inner_text() == "Arrange strategy discussion"
        assert_accessible(page)
        sign_out(page)

    strategy = held_strategy_discussion(world, case)

    with travel(STRATEGY_DAY + dt.timedelta(hours=2)):
        # After the strategy discussion: the ICPC within 15 working days, never a core group.
        sign_in(page, base, world.social_worker.username, PASSWORD)
        page.goto(f"{base}/meetings/{strategy.pk}/")
        text = steps_text(page)
        assert "Arrange the initial child protection conference by 30 December 2026" in text
        assert "core group" not in text.lower()
        assert_accessible(page)
        page.get_by_role("link", name="Arrange the initial child protection conference").click()
        assert page.locator("h1").inner_text() == "Arrange initial child protection conference"
        assert_accessible(page)
        icpc = meetings.meeting_schedule(
            acting_user=world.chair,
            kind=Meeting.Kind.ICPC,
            cases=[case],
            chair=world.chair,
            scheduled_at=at(dt.date(2026, 12, 22)),
            location="Civic Centre",
            follows=strategy,
        )
        # Arranged: no longer offered.
        page.goto(f"{base}/cases/{case.pk}/")
        assert "Arrange the initial child protection conference" not in steps_text(page)
        sign_out(page)

    finalise(
        world,
        icpc,
        at(dt.date(2026, 12, 22), 13),
        "plan",
        category="NEG",
        review=dt.date(2027, 3, 19),
        core=dt.date(2027, 1, 5),
    )

    with travel(at(dt.date(2026, 12, 22), 14)):
        # After the ICPC started a plan: the first core group by the date it set.
        sign_in(page, base, world.social_worker.username, PASSWORD)
        page.goto(f"{base}/meetings/{icpc.pk}/")
        text = steps_text(page)
        assert "Arrange the first core group by 5 January 2027" in text
        assert "Arrange the initial child protection conference" not in text
        assert_accessible(page)
        page.get_by_role("link", name="Arrange the first core group").click()
        assert page.locator("h1").inner_text() == "Arrange core group meeting"
        assert_accessible(page)
