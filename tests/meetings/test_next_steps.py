"""Issue 14 item 5: after every decision the next statutory step is offered,
with its due date from the clock, and never once it no longer applies."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from cases import services as case_services
from meetings import services as meetings
from meetings.models import Meeting
from meetings.next_steps import next_steps_for
from tests.factories import World, open_case_from_concern, submit_concern
from tests.meetings.meeting_helpers import LONDON, STRATEGY_DAY, at, health_agency, travel
from tests.meetings.test_meetings import finalise

pytestmark = pytest.mark.django_db


def steps(world, case, user=None) -> dict:
    case.refresh_from_db()
    return {s.key: s for s in next_steps_for(user or world.social_worker, case)}


def schedule(world, case, kind, when, follows=None) -> Meeting:
    return meetings.meeting_schedule(
        acting_user=world.social_worker,
        kind=kind,
        cases=[case],
        chair=world.chair,
        scheduled_at=when,
        location="Civic Centre",
        follows=follows,
        invite=[world.police, health_agency(world)],
        invite_reason="Police and health are statutory partners in this meeting "
        "(Working Together 2023)",
    )


def test_from_a_strategy_decision_through_to_the_first_core_group():
    with travel(dt.datetime(2026, 12, 1, 9, 0, tzinfo=LONDON)):
        world = World()
        case = open_case_from_concern(world, submit_concern(world), decision="strategy")
        # The case opens unallocated: allocate it, and arrange the strategy discussion.
        now = steps(world, case)
        assert list(now) == ["allocate", "strategy"]
        assert now["strategy"].due_on is None  # no statutory clock: none invented
        assert now["strategy"].url == reverse("meeting_schedule", args=[case.pk, "strategy"])
        # A manager is offered the allocation; a social worker is told of it only.
        assert now["allocate"].url is None
        assert steps(world, case, world.manager)["allocate"].url.endswith("#allocate")
        case_services.case_allocate(
            acting_user=world.manager,
            case=case,
            worker=world.social_worker,
            team=None,
            expected_version=case.version,
        )
        assert list(steps(world, case)) == ["strategy"]

    with travel(STRATEGY_DAY - dt.timedelta(hours=1)):
        strategy = schedule(world, case, Meeting.Kind.STRATEGY, STRATEGY_DAY)
        assert steps(world, case) == {}
    with travel(STRATEGY_DAY + dt.timedelta(minutes=30)):
        # Held, not yet recorded: the record is the next step.
        assert list(steps(world, case)) == [f"record-{strategy.pk}"]
    finalise(world, strategy, STRATEGY_DAY + dt.timedelta(hours=1), "section_47")

    with travel(STRATEGY_DAY + dt.timedelta(hours=2)):
        now = steps(world, case)
        # The enquiry started with the decision; the ICPC is due in 15 working
        # days (across Christmas and the Boxing Day substitute); never a core group.
        assert list(now) == ["icpc"]
        assert now["icpc"].due_on == dt.date(2026, 12, 30)
        assert "core_group" not in now
        icpc = schedule(world, case, Meeting.Kind.ICPC, at(dt.date(2026, 12, 22)), strategy)
        assert steps(world, case) == {}
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
        now = steps(world, case)
        assert "icpc" not in now and "section47" not in now
        assert now["core_group"].due_on == dt.date(2027, 1, 5)
        assert now["core_group"].url.endswith(f"?follows={icpc.pk}")
        assert now["review"].due_on == dt.date(2027, 3, 19)
        assert list(now) == ["core_group", "review"]
        schedule(world, case, Meeting.Kind.CORE_GROUP, at(dt.date(2027, 1, 5)), icpc)
        assert list(steps(world, case)) == ["review"]


def test_no_icpc_once_the_enquiry_closed_without_one_and_nothing_on_a_closed_case():
    with travel(dt.datetime(2026, 12, 1, 9, 0, tzinfo=LONDON)):
        world = World()
        case = open_case_from_concern(world, submit_concern(world), decision="strategy")
    with travel(STRATEGY_DAY - dt.timedelta(hours=1)):
        strategy = schedule(world, case, Meeting.Kind.STRATEGY, STRATEGY_DAY)
    finalise(world, strategy, STRATEGY_DAY + dt.timedelta(hours=1), "section_47")
    with travel(STRATEGY_DAY + dt.timedelta(hours=2)):
        assert "icpc" in steps(world, case)
        enquiry = case.section47_enquiries.get()
        case_services.section47_complete(
            acting_user=world.social_worker,
            enquiry=enquiry,
            outcome="not_substantiated",
            child_wishes="She said she feels safe with her nan",
        )
        assert "icpc" not in steps(world, case)
        case.status = case.Status.CLOSED
        case.save(update_fields=["status"])
        assert steps(world, case) == {}


def test_a_strategy_discussion_deciding_no_enquiry_offers_nothing_more():
    with travel(dt.datetime(2026, 12, 1, 9, 0, tzinfo=LONDON)):
        world = World()
        case = open_case_from_concern(world, submit_concern(world), decision="strategy")
    with travel(STRATEGY_DAY - dt.timedelta(hours=1)):
        strategy = schedule(world, case, Meeting.Kind.STRATEGY, STRATEGY_DAY)
    finalise(world, strategy, STRATEGY_DAY + dt.timedelta(hours=1), "no_section_47")
    with travel(STRATEGY_DAY + dt.timedelta(hours=2)):
        assert set(steps(world, case)) == {"allocate"}


def test_the_case_and_meeting_pages_show_what_happens_next(client):
    with travel(dt.datetime(2026, 12, 1, 9, 0, tzinfo=LONDON)):
        world = World()
        case = open_case_from_concern(world, submit_concern(world), decision="strategy")
        client.force_login(world.social_worker)
        page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
        assert "What happens next" in page and "Arrange the strategy discussion" in page
        # An involved agency is not shown the lead agency's work.
        client.force_login(world.teacher)
        page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
        assert "What happens next" not in page
    with travel(STRATEGY_DAY - dt.timedelta(hours=1)):
        strategy = schedule(world, case, Meeting.Kind.STRATEGY, STRATEGY_DAY)
    finalise(world, strategy, STRATEGY_DAY + dt.timedelta(hours=1), "section_47")
    with travel(STRATEGY_DAY + dt.timedelta(hours=2)):
        client.force_login(world.social_worker)
        page = client.get(reverse("meeting_detail", args=[strategy.pk])).content.decode()
        assert "What happens next for Amelia Hart" in page
        assert "Arrange the initial child protection conference" in page
        assert "30 December 2026" in page
        assert "Arrange core group" not in page and "first core group" not in page
