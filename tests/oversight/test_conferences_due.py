"""The chair's view of conferences owed (issue 15, oversight): the initial
conferences whose clock runs from a strategy discussion and the reviews a plan
is owed, with the same due dates the meetings' clocks give, late ones counted
in the database, through the access policy."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from meetings.clocks import meeting_clock
from meetings.models import Meeting
from oversight import selectors
from safeguard import workdays
from safeguard.audit.models import AuditEvent
from tests.meetings.meeting_helpers import travel
from tests.oversight.oversight_world import NOW

pytestmark = pytest.mark.django_db


def page(client, user):
    client.force_login(user)
    with travel(NOW):
        return client.get(reverse("conferences_due"))


def test_the_chair_sees_what_is_owed_by_the_clocks_dates(client, year):
    response = page(client, year.chair)
    assert response.status_code == 200
    icpcs = response.context["icpcs"]
    # E's strategy discussion on 20 May decided an enquiry; no conference yet.
    assert [row["case"].reference for row in icpcs] == [year.e.reference]
    with travel(NOW):
        clock = meeting_clock(Meeting.Kind.ICPC, [year.e])
    assert icpcs[0]["clock"].due == clock.due_on == dt.date(2026, 6, 11)
    assert icpcs[0]["clock"].overdue
    owed = response.context["owed"]
    assert (owed["icpcs"].owed, owed["icpcs"].late) == (1, 1)
    # C's and D's plans are owed their reviews on the dates their conferences set.
    reviews = response.context["reviews"]
    assert [(r["case"].reference, r["clock"].due) for r in reviews] == [
        (year.c.reference, dt.date(2026, 6, 16)),
        (year.d.reference, dt.date(2026, 7, 17)),
    ]
    with travel(NOW):
        assert meeting_clock(Meeting.Kind.RCPC, [year.c]).due_on == dt.date(2026, 6, 16)
    assert (owed["reviews"].owed, owed["reviews"].late) == (2, 0)
    html = response.content.decode()
    assert "Overdue by 2 working days" in html
    assert AuditEvent.objects.filter(event="conferences_due_listed").count() == 1


def test_a_conference_arranged_is_shown_with_its_date_and_a_held_one_is_gone(client, year):
    from meetings import services as meetings

    with travel(NOW):
        icpc = meetings.meeting_schedule(
            acting_user=year.social_worker,
            kind=Meeting.Kind.ICPC,
            cases=[year.e],
            chair=year.chair,
            scheduled_at=NOW + dt.timedelta(days=2),
            location="Civic Centre",
            late_reason="The family's solicitor could not attend sooner",
        )
    row = page(client, year.chair).context["icpcs"][0]
    assert row["arranged"].arranged_id == icpc.pk
    # Once its time has come it is held (to be written up), no longer owed.
    with travel(NOW + dt.timedelta(days=2, hours=1)):
        client.force_login(year.chair)
        response = client.get(reverse("conferences_due"))
    assert response.context["icpcs"] == []


def test_late_is_counted_by_the_timescales_own_rule():
    # 15 working days from Wednesday 20 May 2026 (25 May a bank holiday) is
    # 11 June: overdue from 12 June, so a clock started on 20 May is the latest
    # that is late on 12 June, and 21 May's is not.
    assert workdays.due_date("icpc", dt.date(2026, 5, 20)) == dt.date(2026, 6, 11)
    assert selectors.latest_start_overdue("icpc", dt.date(2026, 6, 12)) == dt.date(2026, 5, 20)


def test_people_who_neither_chair_nor_manage_have_no_such_view(client, year):
    for user in (year.social_worker, year.teacher, year.auditor, year.la_admin):
        assert page(client, user).status_code == 404
    # Another authority's manager: nothing of this authority's.
    response = page(client, year.other_manager)
    assert response.context["icpcs"] == [] and response.context["reviews"] == []


def test_a_restricted_case_is_not_listed_for_a_manager_not_named_on_it(client, year):
    from cases.services.restrictions import case_restrict

    assert page(client, year.manager).context["owed"]["icpcs"].owed == 1
    with travel(NOW):
        case_restrict(
            acting_user=year.manager,
            case=year.e,
            reason="High-profile family: only the allocated worker may see it.",
            named_users=[year.social_worker],
        )
    response = page(client, year.manager)
    assert response.context["icpcs"] == []
    assert response.context["owed"]["icpcs"].owed == 0
    # The chair of E's strategy discussion still sees E, as the policy says
    # of a case's chairs (cases.access), so E is still theirs to arrange.
    assert page(client, year.chair).context["owed"]["icpcs"].owed == 1


def test_a_chair_sees_only_the_cases_they_may_see(client, year):
    from tests.factories import make_user

    newcomer = make_user("chair2@la", year.la, "chair")
    response = page(client, newcomer)
    assert response.status_code == 200
    assert response.context["owed"]["icpcs"].owed == response.context["owed"]["reviews"].owed == 0


def test_the_view_costs_a_constant_few_queries(client, year, django_assert_max_num_queries):
    client.force_login(year.manager)
    # Session, user, agencies, a count and a list per kind, memberships, the
    # audit row, the unread badge, savepoints.
    with travel(NOW), django_assert_max_num_queries(12):
        assert client.get(reverse("conferences_due")).status_code == 200


def test_a_review_past_the_date_its_conference_set_is_late(client, year):
    # C's plan was to be reviewed by 16 June; on Friday 19 June it is 3 working days late.
    client.force_login(year.chair)
    with travel(NOW + dt.timedelta(days=4)):
        response = client.get(reverse("conferences_due"))
    owed = response.context["owed"]["reviews"]
    assert (owed.owed, owed.late) == (2, 1)
    late = response.context["reviews"][0]
    assert late["case"] == year.c and late["clock"].overdue
    assert "Overdue by 3 working days" in response.content.decode()
