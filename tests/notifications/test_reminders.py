"""Reminders on the working-day clock: ahead, on the day, overdue to managers, once each.

The sweep is run for a chosen "today" (the clock beat would see), and what the
people would see is checked: their notifications page, the header count and
their mailbox.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from cases.models import Assessment, CaseAction
from cases.services.record import action_add, action_complete
from safeguard import workdays
from safeguard.notifications.models import Notification, ReminderDelivery
from safeguard.notifications.reminder_sweep import reminders_sweep
from tests.factories import PASSWORD, World, open_case_from_concern, submit_concern

pytestmark = pytest.mark.django_db


def working_day_on_or_after(day: dt.date) -> dt.date:
    while not workdays.is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def working_days_before(day: dt.date, n: int) -> dt.date:
    while n > 0:
        day -= dt.timedelta(days=1)
        if workdays.is_working_day(day):
            n -= 1
    return day


@pytest.fixture
def world():
    w = World()
    w.case = open_case_from_concern(w, submit_concern(w))
    # The case's assessment is months away; these tests look at an action first.
    w.due = working_day_on_or_after(timezone.localdate() + dt.timedelta(days=14))
    w.action = action_add(
        acting_user=w.social_worker,
        case=w.case,
        description="Check Amelia's attendance this week",
        agency=w.school,
        owner=w.teacher,
        due_on=w.due,
    )
    Notification.objects.all().delete()
    mail.outbox.clear()
    return w


@pytest.fixture
def sweep(django_capture_on_commit_callbacks):
    def run(today: dt.date):
        # Commit hooks run as they would after the sweep's transactions, so the
        # outbox e-mails really go through the (eager) worker to the mailbox.
        with django_capture_on_commit_callbacks(execute=True):
            return reminders_sweep(today=today)

    return run


def reminders_for(user, kind="action"):
    return list(
        ReminderDelivery.objects.filter(recipient=user, kind=kind)
        .order_by("pk")
        .values_list("stage", "due_on", "status")
    )


def mails_to(user):
    return [m for m in mail.outbox if user.email in m.to]


def test_the_owner_is_warned_two_working_days_ahead_then_on_the_day(world, sweep, client):
    three_before = working_days_before(world.due, 3)
    assert sweep(three_before).delivered == 0  # outside the warning window

    two_before = working_days_before(world.due, 2)
    assert sweep(two_before).delivered == 1
    assert reminders_for(world.teacher) == [("warning", world.due, "sent")]
    (email,) = mails_to(world.teacher)
    assert email.subject == f"Safeguard reminder: {world.case.reference}"
    due_text = f"{world.due.day} {world.due:%B %Y}"
    assert f"Action for {world.case.reference} is due on {due_text}" in email.body
    assert f"/cases/{world.case.pk}/" in email.body
    # A reference and a link, never case details.
    for detail in ("Amelia", "Hart", "attendance", "Hill School"):
        assert detail not in email.body and detail not in email.subject

    # The next day, still in the window: nothing new.
    assert sweep(working_days_before(world.due, 1)).delivered == 0
    assert len(mails_to(world.teacher)) == 1

    assert sweep(world.due).delivered == 1
    assert [stage for stage, _, _ in reminders_for(world.teacher)] == ["warning", "due"]
    assert "is due today" in mails_to(world.teacher)[-1].body

    # The teacher sees both on the notifications page and in the header count.
    client.login(username=world.teacher.username, password=PASSWORD)
    page = client.get("/notifications/").content.decode()
    assert f"Action for {world.case.reference} is due today" in page
    assert "Due today" in page and "Coming due" in page
    assert ">2<" in client.get("/").content.decode().replace(" ", "")


def test_the_warning_ahead_is_configurable(world, sweep, settings):
    settings.REMINDER_WARN_WORKING_DAYS = 5
    assert sweep(working_days_before(world.due, 5)).delivered == 1
    assert reminders_for(world.teacher) == [("warning", world.due, "sent")]


def test_an_overdue_action_is_escalated_to_the_agency_managers_once(world, sweep):
    from tests.factories import make_user

    head = make_user("manager@school", world.school, "manager")
    day_after = working_day_on_or_after(world.due + dt.timedelta(days=1))
    assert sweep(day_after).delivered == 2
    assert reminders_for(world.teacher) == [("overdue", world.due, "sent")]
    assert reminders_for(head) == [("overdue", world.due, "sent")]
    (to_head,) = mails_to(head)
    assert "escalated to you as a manager" in to_head.body
    assert f"Overdue: action for {world.case.reference}" in to_head.body
    # Not the lead agency's manager: the action is the school's to do.
    assert reminders_for(world.manager) == []

    # Still overdue a week later: nobody is told again.
    assert sweep(day_after + dt.timedelta(days=7)).delivered == 0
    assert len(mails_to(head)) == 1 and len(mails_to(world.teacher)) == 1


def test_the_same_sweep_twice_delivers_nothing_new(world, sweep):
    day = working_days_before(world.due, 1)
    first = sweep(day)
    assert first.delivered == 1
    second = sweep(day)
    assert second.delivered == 0
    assert Notification.objects.filter(recipient=world.teacher).count() == 1
    assert len(mails_to(world.teacher)) == 1


def test_a_moved_due_date_makes_a_new_reminder(world, sweep):
    assert sweep(world.due).delivered == 1
    later = working_day_on_or_after(world.due + dt.timedelta(days=7))
    # No page moves an action's date yet; the meetings work will move review
    # dates the same way: the row's date changes, the provider yields the new one.
    CaseAction.objects.filter(pk=world.action.pk).update(due_on=later)
    assert sweep(working_days_before(later, 2)).delivered == 1
    assert reminders_for(world.teacher) == [
        ("due", world.due, "sent"),
        ("warning", later, "sent"),
    ]


def test_a_completed_action_stops_its_reminders(world, sweep):
    assert sweep(working_days_before(world.due, 2)).delivered == 1
    action_complete(acting_user=world.teacher, action=world.action)
    assert sweep(world.due).delivered == 0
    day_after = working_day_on_or_after(world.due + dt.timedelta(days=1))
    assert sweep(day_after).delivered == 0
    assert [stage for stage, _, _ in reminders_for(world.teacher)] == ["warning"]


def test_a_reminder_planned_but_not_yet_sent_is_cancelled_when_the_item_is_done(world):
    from safeguard.notifications.reminder_sweep import reminders_deliver, reminders_plan

    reminders_plan(today=world.due)
    assert reminders_for(world.teacher) == [("due", world.due, "pending")]
    action_complete(acting_user=world.teacher, action=world.action)
    _, cancelled = reminders_plan(today=world.due)
    assert cancelled == 1
    assert reminders_deliver() == 0
    assert not Notification.objects.filter(recipient=world.teacher).exists()


def test_the_assessment_is_due_45_working_days_after_the_referral(world, sweep):
    assessment = Assessment.objects.get(case=world.case)
    assert assessment.due_on == workdays.add_working_days(assessment.started_on, 45)
    CaseAction.objects.all().delete()
    assert sweep(working_days_before(assessment.due_on, 2)).delivered == 1
    # Unallocated: the lead agency's social workers hold it.
    assert reminders_for(world.social_worker, "assessment") == [
        ("warning", assessment.due_on, "sent")
    ]
    day_after = working_day_on_or_after(assessment.due_on + dt.timedelta(days=1))
    sweep(day_after)
    assert reminders_for(world.manager, "assessment") == [("overdue", assessment.due_on, "sent")]


def test_a_triage_decision_is_due_in_one_working_day_and_escalates(sweep):
    world = World()
    concern = submit_concern(world)
    due = workdays.local_date(concern.decision_due_at)
    assert due == workdays.add_working_days(workdays.local_date(concern.submitted_at), 1)
    sweep(due)
    assert reminders_for(world.social_worker, "triage_decision") == [("due", due, "sent")]
    sweep(working_day_on_or_after(due + dt.timedelta(days=1)))
    assert reminders_for(world.manager, "triage_decision") == [("overdue", due, "sent")]
    note = Notification.objects.get(recipient=world.manager, kind="reminder_overdue")
    assert note.link_path == f"/front-door/{concern.pk}/"
    # The reporter's school is not the front door: it is not reminded.
    assert reminders_for(world.teacher, "triage_decision") == []


def test_an_unanswered_referral_escalates_to_the_receiving_agency_managers(sweep):
    from agencies.models import Agency
    from referrals.services import referral_send
    from tests.factories import AgencyFactory, make_user

    world = World()
    case = open_case_from_concern(world, submit_concern(world))
    health = AgencyFactory(slug="health", name="Health Trust", kind=Agency.Kind.HEALTH)
    nurse = make_user("practitioner@health", health, "practitioner")
    matron = make_user("manager@health", health, "manager")
    referral = referral_send(
        acting_user=world.social_worker,
        case=case,
        from_agency=world.la,
        to_agency=health,
        reason="Low mood",
        request="Assess",
        urgency="routine",
        sharing_basis="consent",
    )
    due = workdays.local_date(referral.response_due_at)
    sweep(working_day_on_or_after(due + dt.timedelta(days=1)))
    assert reminders_for(nurse, "referral_response") == [("overdue", due, "sent")]
    assert reminders_for(matron, "referral_response") == [("overdue", due, "sent")]
    assert reminders_for(world.social_worker, "referral_response") == []


def test_restriction_reviews_come_due_for_the_named_manager(sweep, settings):
    from cases.services.restrictions import case_restrict

    world = World()
    case = open_case_from_concern(world, submit_concern(world))
    case_restrict(
        acting_user=world.manager,
        case=case,
        reason="The child of a member of staff in this team.",
        named_users=[world.manager],
    )
    case.refresh_from_db()
    assert case.restriction_review_due == timezone.localdate() + dt.timedelta(days=90)
    sweep(case.restriction_review_due + dt.timedelta(days=1))
    assert reminders_for(world.manager, "restriction_review") == [
        ("overdue", case.restriction_review_due, "sent")
    ]
    # The assessment on a restricted case reminds only named people.
    assert reminders_for(world.social_worker, "assessment") == []


def test_a_daily_digest_lists_references_once_a_day(world, sweep, client, settings):
    from safeguard.notifications.digest import digests_send

    client.login(username=world.teacher.username, password=PASSWORD)
    page = client.get("/accounts/profile/").content.decode()
    assert "How do you want reminder e-mails?" in page
    response = client.post(
        "/accounts/profile/", {"action": "reminder_email", "reminder_email": "daily_digest"}
    )
    assert response.status_code == 302
    assert 'value="daily_digest" checked' in client.get("/accounts/profile/").content.decode()

    second = action_add(
        acting_user=world.social_worker,
        case=world.case,
        description="Speak to the class teacher",
        agency=world.school,
        owner=world.teacher,
        due_on=world.due,
    )
    mail.outbox.clear()
    assert sweep(world.due).delivered == 2
    assert mails_to(world.teacher) == []  # in the app at once, by e-mail in the digest
    assert Notification.objects.filter(recipient=world.teacher, kind="reminder_due").count() == 2

    settings.REMINDER_DIGEST_HOUR = 7
    early = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(6, 30)))
    later = early + dt.timedelta(hours=2)
    assert digests_send(now=early) == 0
    assert digests_send(now=later) == 1
    assert digests_send(now=later) == 0  # once a day
    from safeguard.notifications.models import OutboundEmail
    from safeguard.notifications.tasks import send_email

    (digest,) = OutboundEmail.objects.filter(digest__isnull=False)
    send_email.apply(args=[str(digest.pk)])
    (email,) = mails_to(world.teacher)
    assert email.subject.startswith("Safeguard: your reminders for")
    assert email.body.count(world.case.reference) == 2
    assert email.body.count(f"/cases/{world.case.pk}/") == 2
    assert "Amelia" not in email.body and "class teacher" not in email.body
    assert ReminderDelivery.objects.filter(subject_key=f"action:{second.pk}").get().digest_id


def test_a_bad_preference_is_refused_next_to_the_field(world, client):
    client.login(username=world.teacher.username, password=PASSWORD)
    response = client.post("/accounts/profile/", {"action": "reminder_email"})
    assert response.status_code == 200
    assert "Select how you want reminder e-mails" in response.content.decode()


def test_the_sweep_task_runs_through_celery(world, settings, django_capture_on_commit_callbacks):
    """The beat entry point: the same sweep, through the task, idempotent."""
    from safeguard.celery import app
    from safeguard.notifications.tasks import sweep_reminders

    assert "reminders-sweep" in app.conf.beat_schedule
    CaseAction.objects.filter(pk=world.action.pk).update(due_on=timezone.localdate())
    with django_capture_on_commit_callbacks(execute=True):
        result = sweep_reminders.delay().get()
    assert result["delivered"] >= 1
    assert sweep_reminders.delay().get()["delivered"] == 0


def test_the_sweep_costs_the_same_queries_for_one_item_or_many(world):
    """No query per item: 100k items must sweep in bulk."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from safeguard.notifications.reminder_sweep import reminders_plan

    def plan_queries(day):
        with CaptureQueriesContext(connection) as ctx:
            reminders_plan(today=day)
        return len(ctx.captured_queries)

    one = plan_queries(world.due)
    CaseAction.objects.bulk_create(
        CaseAction(
            case=world.case,
            description=f"Task {n}",
            agency=world.school if n % 2 else world.la,
            owner=world.teacher if n % 3 else None,
            due_on=world.due,
        )
        for n in range(60)
    )
    many = plan_queries(world.due)
    assert many == one
    assert ReminderDelivery.objects.filter(status="pending").count() > 60


def test_a_warning_never_sent_is_dropped_once_the_item_is_due(world, sweep):
    """Workers down for days: on return the owner hears that it is due, not a stale warning."""
    from safeguard.notifications.reminder_sweep import reminders_plan

    reminders_plan(today=working_days_before(world.due, 2))
    assert reminders_for(world.teacher) == [("warning", world.due, "pending")]
    assert sweep(world.due).delivered == 1
    assert reminders_for(world.teacher) == [
        ("warning", world.due, "cancelled"),
        ("due", world.due, "sent"),
    ]
    assert [m.body.count("is due today") for m in mails_to(world.teacher)] == [1]
