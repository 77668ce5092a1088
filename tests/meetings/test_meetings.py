"""Meetings and conferences: scheduling rules, who sees what, and the final record."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases.access import explain_access
from cases.models import ChronologyEntry, Involvement, Plan, Section47Enquiry
from meetings import services as meetings
from meetings.clocks import meeting_clock, propose_date
from meetings.models import AgencyReport, Meeting, MeetingCase
from safeguard import workdays
from tests.factories import World, open_case_from_concern, submit_concern
from tests.meetings.meeting_helpers import (
    LONDON,
    STRATEGY_DAY,
    at,
    held_strategy_discussion,
    travel,
)

pytestmark = pytest.mark.django_db

ICPC_DUE = dt.date(2026, 12, 30)  # 15 working days, skipping 25 and 28 December


@pytest.fixture
def world():
    with travel(dt.datetime(2026, 12, 1, 9, 0, tzinfo=LONDON)):
        w = World()
        w.case = open_case_from_concern(w, submit_concern(w), decision="strategy")
    w.strategy = held_strategy_discussion(w, w.case)
    return w


def schedule_icpc(world, day: dt.date, **overrides) -> Meeting:
    fields = {
        "acting_user": world.chair,
        "kind": Meeting.Kind.ICPC,
        "cases": [world.case],
        "chair": world.chair,
        "scheduled_at": at(day),
        "location": "Civic Centre, room 4",
        "follows": world.strategy,
        "report_due_on": day - dt.timedelta(days=2),
        "invite": [world.police, world.school],
        "invite_reason": "Police are a statutory partner in this meeting (Working Together 2023)",
    }
    fields.update(overrides)
    return meetings.meeting_schedule(**fields)


def date_fields(prefix: str, day: dt.date) -> dict:
    return {f"{prefix}_0": day.day, f"{prefix}_1": day.month, f"{prefix}_2": day.year}


# Scheduling -------------------------------------------------------------------


def test_the_icpc_clock_runs_15_working_days_from_the_strategy_discussion(world):
    clock = meeting_clock(Meeting.Kind.ICPC, [world.case], world.strategy)
    assert clock.due_on == ICPC_DUE
    with travel(STRATEGY_DAY + dt.timedelta(hours=2)):
        proposed = propose_date(clock)
    assert proposed <= ICPC_DUE and workdays.is_working_day(proposed)
    assert workdays.working_days_between(STRATEGY_DAY.date(), proposed) <= 15


def test_the_chair_of_the_strategy_discussion_is_offered_the_proposed_date(client, world):
    with travel(STRATEGY_DAY + dt.timedelta(days=1)):
        client.force_login(world.chair)
        url = reverse("meeting_schedule", args=[world.case.pk, "icpc"])
        page = client.get(url, {"follows": world.strategy.pk}).content.decode()
    assert "Wednesday 30 December 2026" in page  # the statutory clock, explained
    assert 'value="24"' in page and 'value="12"' in page  # proposed: Thursday 24 December


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (dt.date(2026, 12, 19), "weekend"),
        (dt.date(2026, 12, 25), "bank holiday (Christmas Day)"),
        (dt.date(2026, 12, 28), "bank holiday"),
        (dt.date(2026, 12, 1), "today or in the future"),
    ],
)
def test_conferences_are_refused_on_weekends_bank_holidays_and_in_the_past(world, day, message):
    with travel(STRATEGY_DAY + dt.timedelta(days=1)), pytest.raises(ValidationError) as error:
        schedule_icpc(world, day, report_due_on=None)
    assert message in str(error.value.message_dict["scheduled_on"])
    assert not Meeting.objects.filter(kind=Meeting.Kind.ICPC).exists()


def test_a_strategy_discussion_may_be_held_at_a_weekend(world):
    with travel(STRATEGY_DAY + dt.timedelta(days=1)):
        meeting = meetings.meeting_schedule(
            acting_user=world.social_worker,
            kind=Meeting.Kind.STRATEGY,
            cases=[world.case],
            chair=world.chair,
            scheduled_at=at(dt.date(2026, 12, 12)),
            location="By telephone",
        )
    assert meeting.scheduled_at.date() == dt.date(2026, 12, 12)


def test_a_late_conference_needs_a_reason_and_is_reported_late(client, world):
    late_day = dt.date(2027, 1, 6)
    with travel(STRATEGY_DAY + dt.timedelta(days=1)):
        with pytest.raises(ValidationError) as error:
            schedule_icpc(world, late_day)
        assert "30 December 2026" in str(error.value.message_dict["late_reason"])
        meeting = schedule_icpc(world, late_day, late_reason="The family's advocate is away.")
        assert meeting.is_late and meeting.working_days_late == 4
        client.force_login(world.chair)
        page = client.get(reverse("meeting_detail", args=[meeting.pk])).content.decode()
    assert "Late by 4 working days" in page and "advocate is away" in page
    entry = ChronologyEntry.objects.get(case=world.case, title__contains="arranged for 6 January")
    assert "Late: The family" in entry.body


def test_the_core_group_and_review_clocks_run_from_the_conference(world):
    icpc = held_icpc(world)
    assert meeting_clock(Meeting.Kind.CORE_GROUP, [world.case]).due_on == (
        workdays.add_working_days(dt.date(2026, 12, 22), 10)
    )
    clock = meeting_clock(Meeting.Kind.RCPC, [world.case])
    # The review date the conference set (earlier than three months) is the deadline.
    assert clock.due_on == dt.date(2027, 3, 19) and clock.runs_from == icpc


def test_later_reviews_are_due_within_six_months_of_the_last_review(world):
    held_icpc(world, next_review=dt.date(2027, 3, 22))
    with travel(at(dt.date(2027, 3, 10))):
        rcpc = meetings.meeting_schedule(
            acting_user=world.chair,
            kind=Meeting.Kind.RCPC,
            cases=[world.case],
            chair=world.chair,
            scheduled_at=at(dt.date(2027, 3, 18)),
            location="Civic Centre",
        )
    assert rcpc.due_on == dt.date(2027, 3, 22)
    finalise(
        world, rcpc, at(dt.date(2027, 3, 18), 12), "continue_plan", review=dt.date(2027, 9, 17)
    )
    with travel(at(dt.date(2027, 3, 19))):
        clock = meeting_clock(Meeting.Kind.RCPC, [world.case])
    assert clock.due_on == dt.date(2027, 9, 17)  # the date set, inside six months of 18 March


# The record -----------------------------------------------------------------


def finalise(world, meeting, when, decision, *, category="", review=None, core=None):
    with travel(when):
        subject = meeting.subjects.get()
        meeting.refresh_from_db()
        meetings.meeting_record(
            acting_user=world.chair,
            meeting=meeting,
            version=meeting.version,
            attendance={str(i.pk): "present" for i in meeting.invitations.all()},
            minutes={},
            decisions={
                str(subject.pk): {
                    "decision": decision,
                    "category": category,
                    "next_review_on": review,
                    "first_core_group_on": core,
                }
            },
        )
        return meetings.meeting_finalise(acting_user=world.chair, meeting=meeting)


def held_icpc(world, next_review=dt.date(2027, 3, 19)) -> Meeting:
    with travel(STRATEGY_DAY + dt.timedelta(days=1)):
        icpc = schedule_icpc(world, dt.date(2026, 12, 22))
    finalise(
        world,
        icpc,
        at(dt.date(2026, 12, 22), 13),
        "plan",
        category="NEG",
        review=next_review,
        core=dt.date(2027, 1, 5),
    )
    return icpc


def test_finalising_an_icpc_starts_the_plan_and_writes_the_chronology(world):
    assert Section47Enquiry.objects.filter(case=world.case).exists()  # from the strategy outcome
    icpc = held_icpc(world)
    plan = Plan.objects.get(case=world.case)
    assert (plan.kind, plan.category, plan.start_date, plan.next_review_on) == (
        "cp",
        "NEG",
        dt.date(2026, 12, 22),
        dt.date(2027, 3, 19),
    )
    titles = list(
        ChronologyEntry.objects.filter(case=world.case, source_reference=icpc.reference)
        .order_by("created_at")
        .values_list("title", "body")
    )
    assert ("Child protection plan started: Neglect", "") in titles
    held = [t for t in titles if t[0].startswith("Initial child protection conference held")]
    assert held and "Review conference by 19 March 2027" in held[0][1]


def test_finalising_refuses_review_and_core_group_dates_beyond_the_clocks(world):
    with travel(STRATEGY_DAY + dt.timedelta(days=1)):
        icpc = schedule_icpc(world, dt.date(2026, 12, 22))
    with pytest.raises(ValidationError) as error:
        finalise(
            world,
            icpc,
            at(dt.date(2026, 12, 22), 13),
            "plan",
            category="NEG",
            review=dt.date(2027, 4, 1),
            core=dt.date(2027, 1, 29),
        )
    messages = " ".join(error.value.messages)
    assert "must be after the meeting and by 22 March 2027" in messages
    assert "first core group" in messages and "by 8 January 2027" in messages
    icpc.refresh_from_db()
    assert not icpc.is_finalised and not Plan.objects.exists()


def test_a_plan_needs_its_category_before_the_record_is_final(world):
    with travel(STRATEGY_DAY + dt.timedelta(days=1)):
        icpc = schedule_icpc(world, dt.date(2026, 12, 22))
    with pytest.raises(ValidationError, match="category of abuse"):
        finalise(world, icpc, at(dt.date(2026, 12, 22), 13), "plan", review=dt.date(2027, 3, 1))


def test_a_review_that_ends_the_plan_ends_it(world):
    held_icpc(world)
    with travel(at(dt.date(2027, 3, 1))):
        rcpc = meetings.meeting_schedule(
            acting_user=world.chair,
            kind=Meeting.Kind.RCPC,
            cases=[world.case],
            chair=world.chair,
            scheduled_at=at(dt.date(2027, 3, 15)),
            location="Civic Centre",
        )
    finalise(world, rcpc, at(dt.date(2027, 3, 15), 12), "end_plan")
    plan = Plan.objects.get(case=world.case)
    assert plan.end_date == dt.date(2027, 3, 15) and plan.next_review_on is None


def test_a_finalised_record_refuses_edits_and_takes_addenda(client, world):
    icpc = held_icpc(world)
    icpc.refresh_from_db()
    with travel(at(dt.date(2026, 12, 23))):
        with pytest.raises(ValidationError, match="final"):
            meetings.meeting_record(
                acting_user=world.chair,
                meeting=icpc,
                version=icpc.version,
                attendance={},
                minutes={},
                decisions={},
            )
        client.force_login(world.chair)
        record = reverse("meeting_record", args=[icpc.pk])
        item = icpc.agenda_items.first()
        response = client.post(
            record, {"version": icpc.version, f"minutes-{item.pk}": "Rewritten history"}
        )
        assert response.status_code == 302 and response.url == reverse(
            "meeting_detail", args=[icpc.pk]
        )
        item.refresh_from_db()
        assert item.minutes == ""
        response = client.post(
            reverse("meeting_report", args=[icpc.pk]), {"text": "Too late", "agency": world.la.pk}
        )
        assert response.status_code == 404
        client.post(
            reverse("meeting_addendum_add", args=[icpc.pk]),
            {"text": "The police report was from DC Shah, not DC Shaw."},
        )
        page = client.get(reverse("meeting_detail", args=[icpc.pk])).content.decode()
    assert "Addendum</strong> by" in page and "DC Shah, not DC Shaw" in page


# Who sees what ------------------------------------------------------------------


def test_invited_agencies_become_involved_and_the_explainer_says_why(world):
    with travel(STRATEGY_DAY + dt.timedelta(days=1)):
        icpc = schedule_icpc(world, dt.date(2026, 12, 22))
    # Involved already (by the strategy discussion): the invitation is one more reason.
    involvement = Involvement.objects.get(
        case=world.case, agency=world.police, ended_at__isnull=True
    )
    assert involvement.reasons.filter(
        reason="meeting", source_reference=icpc.reference, ended_at__isnull=True
    ).exists()
    rules = {r.rule for r in explain_access(world.officer, world.case)}
    assert "meeting_invitation" in rules
    chair_rules = [r for r in explain_access(world.chair, world.case) if r.rule == "chair"]
    assert chair_rules and icpc.reference in " ".join(r.detail for r in chair_rules)


def test_a_non_invited_agency_sees_nothing_of_the_meeting(client, world):
    with travel(STRATEGY_DAY + dt.timedelta(days=1)):
        icpc = schedule_icpc(world, dt.date(2026, 12, 22), invite=[world.police])
        meetings.report_submit(
            acting_user=world.officer, meeting=icpc, agency=world.police, text="Police report."
        )
        # The school logged the concern, so it is involved in the case, but it was not
        # invited to this conference: it sees the case, not the meeting.
        for user in [world.teacher, world.other_teacher, world.other_social_worker]:
            client.force_login(user)
            for name in ("meeting_detail", "meeting_record", "meeting_finalise"):
                assert client.get(reverse(name, args=[icpc.pk])).status_code == 404, (user, name)
            listing = client.get(reverse("meeting_list")).content.decode()
            assert icpc.reference not in listing and "Police report" not in listing
            response = client.post(
                reverse("meeting_report", args=[icpc.pk]), {"text": "x", "agency": world.school.pk}
            )
            assert response.status_code == 404
    assert AgencyReport.objects.count() == 1


def test_an_invited_agency_sees_its_own_and_shared_content_only(client, world):
    with travel(STRATEGY_DAY + dt.timedelta(days=1)):
        icpc = schedule_icpc(world, dt.date(2026, 12, 22))
        meetings.report_submit(
            acting_user=world.officer,
            meeting=icpc,
            agency=world.police,
            text="Intelligence about a third party.",
            shared_with_invitees=False,
        )
        meetings.report_submit(
            acting_user=world.teacher,
            meeting=icpc,
            agency=world.school,
            text="Attendance 71%.",
            shared_with_invitees=True,
        )
        closed = meetings.agenda_item_add(
            acting_user=world.chair, meeting=icpc, title="Closed session", lead_only=True
        )
        icpc.refresh_from_db()
        meetings.meeting_record(
            acting_user=world.chair,
            meeting=icpc,
            version=icpc.version,
            attendance={},
            minutes={str(closed.pk): "Discussed the informant's account."},
            decisions={},
        )
        client.force_login(world.teacher)
        page = client.get(reverse("meeting_detail", args=[icpc.pk])).content.decode()
        assert "Attendance 71%" in page
        assert "third party" not in page and "informant" not in page
        client.force_login(world.officer)
        page = client.get(reverse("meeting_detail", args=[icpc.pk])).content.decode()
        assert "third party" in page and "Attendance 71%" in page and "informant" not in page
        client.force_login(world.chair)
        page = client.get(reverse("meeting_detail", args=[icpc.pk])).content.decode()
        assert "third party" in page and "informant" in page


def test_only_the_chair_runs_the_meeting(client, world):
    with travel(STRATEGY_DAY + dt.timedelta(days=1)):
        icpc = schedule_icpc(world, dt.date(2026, 12, 22))
        for user in [world.social_worker, world.manager, world.officer]:
            client.force_login(user)
            assert client.get(reverse("meeting_record", args=[icpc.pk])).status_code == 404
            assert client.post(reverse("meeting_finalise", args=[icpc.pk])).status_code == 404
        client.force_login(world.social_worker)
        assert client.get(reverse("meeting_detail", args=[icpc.pk])).status_code == 200


def test_the_chair_sees_the_case_they_chair_and_nothing_else(client, world):
    other = open_case_from_concern(world, submit_concern(world, child_first_name="Zara"))
    client.force_login(world.chair)
    assert client.get(reverse("case_detail", args=[world.case.pk])).status_code == 200
    assert client.get(reverse("case_detail", args=[other.pk])).status_code == 404


# Saving as you go --------------------------------------------------------------


def test_autosave_keeps_the_minutes_and_refuses_a_stale_copy(client, world):
    with travel(STRATEGY_DAY + dt.timedelta(days=1)):
        icpc = schedule_icpc(world, dt.date(2026, 12, 22))
    with travel(at(dt.date(2026, 12, 22), 10, 30)):
        client.force_login(world.chair)
        item = icpc.agenda_items.first()
        url = reverse("meeting_record", args=[icpc.pk])
        response = client.post(
            url,
            {"version": icpc.version, "autosave": "1", f"minutes-{item.pk}": "All present."},
        )
        assert response.status_code == 200
        new_version = response.json()["version"]
        item.refresh_from_db()
        assert item.minutes == "All present." and new_version == icpc.version + 1
        stale = client.post(
            url, {"version": icpc.version, "autosave": "1", f"minutes-{item.pk}": "Overwrite"}
        )
        assert stale.status_code == 409 and "another window" in stale.json()["error"]
        item.refresh_from_db()
        assert item.minutes == "All present."
        page = client.post(url, {"version": icpc.version, f"minutes-{item.pk}": "Typed"})
        assert page.status_code == 400 and "Typed" in page.content.decode()  # nothing lost


def test_each_child_of_a_sibling_group_gets_their_own_decision(world):
    from cases.services import record as household

    with travel(dt.datetime(2026, 12, 1, 9, 30, tzinfo=LONDON)):
        sibling = open_case_from_concern(world, submit_concern(world, child_first_name="Noah"))
        household.household_member_add(
            acting_user=world.social_worker,
            case=world.case,
            name="Noah",
            relationship="sibling",
            lives_with_child=True,
            has_parental_responsibility=False,
            flags=[],
            sibling_reference=sibling.child.reference,
        )
    with travel(STRATEGY_DAY + dt.timedelta(days=1)):
        icpc = schedule_icpc(
            world,
            dt.date(2026, 12, 22),
            cases=[world.case, sibling],
            acting_user=world.social_worker,  # the chair has no part in Noah's case yet
        )
    with travel(at(dt.date(2026, 12, 22), 13)):
        icpc.refresh_from_db()
        first, second = icpc.subjects.order_by("case__child__first_name")
        meetings.meeting_record(
            acting_user=world.chair,
            meeting=icpc,
            version=icpc.version,
            attendance={str(i.pk): "present" for i in icpc.invitations.all()},
            minutes={},
            decisions={
                str(first.pk): {
                    "decision": "plan",
                    "category": "EMO",
                    "next_review_on": dt.date(2027, 3, 19),
                    "first_core_group_on": dt.date(2027, 1, 5),
                },
                str(second.pk): {"decision": "no_plan"},
            },
        )
        meetings.meeting_finalise(acting_user=world.chair, meeting=icpc)
    assert Plan.objects.filter(case=first.case, category="EMO").exists()
    assert not Plan.objects.filter(case=second.case).exists()
    assert MeetingCase.objects.get(pk=second.pk).decision == "no_plan"


def test_the_meeting_page_runs_a_fixed_number_of_queries(
    client, world, django_assert_max_num_queries
):
    with travel(STRATEGY_DAY + dt.timedelta(days=1)):
        icpc = schedule_icpc(world, dt.date(2026, 12, 22))
        client.force_login(world.chair)
        url = reverse("meeting_detail", args=[icpc.pk])
        client.get(url)
        with django_assert_max_num_queries(60) as few:
            client.get(url)
        for n in range(15):
            meetings.agenda_item_add(acting_user=world.chair, meeting=icpc, title=f"Item {n}")
        meetings.report_submit(
            acting_user=world.officer, meeting=icpc, agency=world.police, text="Report"
        )
        meetings.report_submit(
            acting_user=world.teacher, meeting=icpc, agency=world.school, text="Report"
        )
        with django_assert_max_num_queries(len(few.captured_queries)):
            client.get(url)


def test_my_work_lists_the_meetings_coming_up_and_the_reports_owed(client, world):
    with travel(STRATEGY_DAY + dt.timedelta(days=1)):
        icpc = schedule_icpc(world, dt.date(2026, 12, 22))
        client.force_login(world.officer)
        page = client.get(reverse("home")).content.decode()
        assert "Reports your agency owes" in page and world.case.reference in page
        meetings.report_submit(
            acting_user=world.officer, meeting=icpc, agency=world.police, text="Sent."
        )
        page = client.get(reverse("home")).content.decode()
        assert "Reports your agency owes" not in page
        assert "Meetings coming up" in page and "Initial child protection conference" in page
        client.force_login(world.other_teacher)
        assert (
            "Initial child protection conference"
            not in client.get(reverse("home")).content.decode()
        )


def test_the_case_summary_prints_the_decisions_reasons_dissent_and_reports(
    world, settings, tmp_path
):
    """The PDF carries the conference outcome with its reasons and any dissent
    (for everyone on the case) and the agency reports as each reader may read
    them on the meeting page: an unshared police report reaches the lead
    agency's summary, not the school's."""
    import io

    import pypdf

    from summaries import services as summaries
    from summaries.tasks import render_case_summary

    settings.MEDIA_ROOT = str(tmp_path)
    with travel(STRATEGY_DAY + dt.timedelta(days=1)):
        icpc = schedule_icpc(world, dt.date(2026, 12, 21))
        meetings.report_submit(
            acting_user=world.officer,
            meeting=icpc,
            agency=world.police,
            text="Partner arrested in 2019 for assault.",
        )
        meetings.report_submit(
            acting_user=world.teacher,
            meeting=icpc,
            agency=world.school,
            text="Attendance 71% this term.",
            shared_with_invitees=True,
        )
    subject = icpc.subjects.get()
    with travel(at(dt.date(2026, 12, 21), 11)):
        icpc.refresh_from_db()
        meetings.meeting_record(
            acting_user=world.chair,
            meeting=icpc,
            version=icpc.version,
            attendance={str(i.pk): "present" for i in icpc.invitations.all()},
            minutes={},
            decisions={
                str(subject.pk): {
                    "decision": "plan",
                    "category": "NEG",
                    "decision_notes": "Repeated missed health appointments and no food at home.",
                    "next_review_on": dt.date(2027, 3, 19),
                    "first_core_group_on": dt.date(2027, 1, 4),
                }
            },
        )
        meetings.dissent_add(
            acting_user=world.chair,
            meeting=icpc,
            case=world.case,
            person_name="DC Morgan",
            agency=world.police,
            reason="Physical abuse is the better category.",
        )
    with travel(at(dt.date(2026, 12, 21), 13)):
        meetings.meeting_finalise(acting_user=world.chair, meeting=icpc)

    def read(user):
        with travel(at(dt.date(2026, 12, 23))):
            summary = summaries.summary_request(acting_user=user, case=world.case)
            assert render_case_summary(str(summary.pk)) == "ready"
        summary.refresh_from_db()
        with summary.file.open("rb") as handle:
            pages = pypdf.PdfReader(io.BytesIO(handle.read())).pages
            return " ".join(page.extract_text() for page in pages).replace("\n", " ")

    text = read(world.manager)
    assert f"{icpc.reference}, 21 December 2026: A child protection plan is needed" in text
    assert "category of abuse: Neglect" in text and "(category NEG)" not in text
    assert "Reasons: Repeated missed health appointments and no food at home." in text
    assert "Next review conference by 19 March 2027" in text
    assert (
        "Dissent recorded: DC Morgan, Police. Reason: Physical abuse is the better category."
        in text
    )
    assert "Partner arrested in 2019 for assault." in text
    assert "Attendance 71% this term." in text
    officer = world.officer.get_full_name() or world.officer.username
    assert f"Police · sent by {officer}" in text

    # The school's pack would hold the shared report and not the police's unshared one.
    school_reads = [r.text for r in summaries.meeting_reports_for(world.teacher, world.case)]
    assert school_reads == ["Attendance 71% this term."]


def test_reading_a_meeting_shows_in_who_has_viewed_the_case(client, world):
    with travel(STRATEGY_DAY + dt.timedelta(days=1)):
        icpc = schedule_icpc(world, dt.date(2026, 12, 22))
        client.force_login(world.officer)
        client.get(reverse("meeting_detail", args=[icpc.pk]))
        client.force_login(world.manager)
        log = client.get(reverse("case_access_log", args=[world.case.pk])).content.decode()
    assert "meeting_viewed" in log or "Meeting viewed" in log
    assert world.officer.username in log


def test_a_report_is_shared_only_when_its_author_chooses(client, world):
    """Nothing is pre-ticked: a police report sent with the defaults is read by the
    chair and the lead agency only; ticking share lets the school read it."""
    with travel(STRATEGY_DAY + dt.timedelta(days=1)):
        icpc = schedule_icpc(world, dt.date(2026, 12, 22))
        url = reverse("meeting_detail", args=[icpc.pk])
        client.force_login(world.officer)
        page = client.get(url).content.decode()
        box = page[page.index('name="shared_with_invitees"') - 300 :].split(">", 1)[0]
        assert "checked" not in box
        response = client.post(
            reverse("meeting_report", args=[icpc.pk]),
            {"agency": world.police.pk, "text": "Partner's arrest history."},
        )
        assert response.status_code == 302
        assert AgencyReport.objects.get().shared_with_invitees is False
        client.force_login(world.teacher)
        assert "Partner's arrest history" not in client.get(url).content.decode()
        client.force_login(world.chair)
        assert "Partner&#x27;s arrest history" in client.get(url).content.decode()

        client.force_login(world.officer)
        client.post(
            reverse("meeting_report", args=[icpc.pk]),
            {"agency": world.police.pk, "text": "Shared summary.", "shared_with_invitees": "on"},
        )
        client.force_login(world.teacher)
        assert "Shared summary." in client.get(url).content.decode()
