"""The chair's record under concurrent edits: agenda positions stay distinct,
and nothing lands on a record after it is finalised, even an edit that began
before the finalising committed."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from cases.models import CaseAction
from meetings import services as meetings
from meetings.models import AgendaItem, Meeting, MeetingDissent
from meetings.services import record as record_services
from tests.concurrency.conftest import N, at_once, audit_count, wait_for_lock_waiters
from tests.factories import World, open_case_from_concern, submit_concern
from tests.meetings.meeting_helpers import LONDON, STRATEGY_DAY, health_agency, travel

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world():
    with travel(dt.datetime(2026, 12, 1, 9, 0, tzinfo=LONDON)):
        w = World()
        w.case = open_case_from_concern(w, submit_concern(w), decision="strategy")
    with travel(STRATEGY_DAY - dt.timedelta(hours=1)):
        w.meeting = meetings.meeting_schedule(
            acting_user=w.social_worker,
            kind=Meeting.Kind.STRATEGY,
            cases=[w.case],
            chair=w.chair,
            scheduled_at=STRATEGY_DAY,
            location="Police station, interview room 2",
            invite=[w.police, health_agency(w)],
            invite_reason="The police hold the report of the assault; health examined him.",
        )
    return w


def test_agenda_items_added_at_once_each_get_their_own_place(world):
    before = list(world.meeting.agenda_items.values_list("position", flat=True))
    version = Meeting.objects.get(pk=world.meeting.pk).version
    race = at_once(
        [
            (
                lambda i=i: meetings.agenda_item_add(
                    acting_user=world.chair,
                    meeting=Meeting.objects.get(pk=world.meeting.pk),
                    title=f"Item {i}",
                )
            )
            for i in range(N)
        ]
    )
    race.assert_only()
    positions = list(
        AgendaItem.objects.filter(meeting=world.meeting)
        .order_by("position")
        .values_list("position", flat=True)
    )
    assert positions == list(range(1, len(before) + N + 1))
    assert Meeting.objects.get(pk=world.meeting.pk).version == version + N
    assert audit_count("meeting_agenda_item") == N


def test_edits_waiting_while_the_record_is_finalised_are_refused_after_it(world, monkeypatch):
    """The chair finalises while seven edits (agenda, dissent, an action, the
    record itself) arrive. Each waits for the finalising to commit, then is refused
    with who finalised it and when; none lands on the final record."""
    meeting, case = world.meeting, world.case
    subject = meeting.subjects.get()
    edits_waiting = N - 1
    with travel(STRATEGY_DAY + dt.timedelta(hours=1)):
        meetings.meeting_record(
            acting_user=world.chair,
            meeting=meeting,
            version=meeting.version,
            attendance={str(i.pk): "present" for i in meeting.invitations.all()},
            minutes={},
            decisions={str(subject.pk): {"decision": "section_47"}},
        )
        meeting.refresh_from_db()
        items_before = meeting.agenda_items.count()

        # The finalising holds its locks until the edits are all waiting on them.
        holding = threading.Event()
        seen_waiting: list[int] = []
        original_notify = record_services.notify

        def notify_once_edits_wait(**kwargs):
            holding.set()
            seen_waiting.append(wait_for_lock_waiters(edits_waiting))
            return original_notify(**kwargs)

        monkeypatch.setattr(record_services, "notify", notify_once_edits_wait)
        finalise_errors: list[BaseException] = []

        def finalise():
            try:
                with transaction.atomic():
                    meetings.meeting_finalise(
                        acting_user=world.chair, meeting=Meeting.objects.get(pk=meeting.pk)
                    )
            except BaseException as exc:  # noqa: BLE001
                finalise_errors.append(exc)
            finally:
                connection.close()

        finaliser = threading.Thread(target=finalise)
        finaliser.start()
        assert holding.wait(timeout=30)

        def stale() -> Meeting:
            # Each edit acts on the meeting as its page loaded it: still open.
            copy = Meeting.objects.get(pk=meeting.pk)
            assert copy.finalised_at is None
            return copy

        edits = [
            lambda: meetings.agenda_item_add(
                acting_user=world.chair, meeting=stale(), title="Late item"
            ),
            lambda: meetings.agenda_item_add(
                acting_user=world.chair, meeting=stale(), title="Another late item"
            ),
            lambda: meetings.dissent_add(
                acting_user=world.chair,
                meeting=stale(),
                case=case,
                person_name="DS Khan",
                agency=world.police,
                reason="Disagrees with the threshold decision.",
            ),
            lambda: meetings.dissent_add(
                acting_user=world.chair,
                meeting=stale(),
                case=case,
                person_name="PC Lee",
                agency=world.police,
                reason="Wants a joint visit first.",
            ),
            lambda: meetings.meeting_action_add(
                acting_user=world.chair,
                meeting=stale(),
                case=case,
                description="Joint visit",
                agency=world.police,
                owner=None,
                due_on=STRATEGY_DAY.date() + dt.timedelta(days=3),
            ),
            lambda: meetings.agenda_item_add(
                acting_user=world.chair, meeting=stale(), title="A third late item"
            ),
            lambda: meetings.meeting_record(
                acting_user=world.chair,
                meeting=stale(),
                version=meeting.version,
                attendance={},
                minutes={},
                decisions={str(subject.pk): {"decision": ""}},
            ),
        ]
        assert len(edits) == edits_waiting
        race = at_once(edits)
        finaliser.join(timeout=60)

    assert not finalise_errors, finalise_errors
    assert seen_waiting == [edits_waiting], "the edits did not wait for the finalising"
    race.assert_only(ValidationError)
    assert not race.wins
    for error in race.errors:
        assert "finalised this record on" in " ".join(error.messages)
    meeting.refresh_from_db()
    assert meeting.is_finalised
    assert meeting.agenda_items.count() == items_before
    assert not MeetingDissent.objects.filter(meeting=meeting).exists()
    assert not CaseAction.objects.filter(meeting=meeting).exists()
    assert meeting.subjects.get().decision == "section_47"
    assert audit_count("meeting_finalised") == 1
