"""The timescale figures the worker counts (``oversight.summary``): equal to
an independent count and to the live count, as at when the page says; a case
restricted after the count is out of the figures at once, one the manager is
named on is in them, a restriction lifted shows at the next count and never
before; a manager who has moved agency sees none of it; the refresh is a
beat task that can run twice."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from agencies.models import Membership
from agencies.services import membership_deactivate
from cases import services
from cases.services.restrictions import case_lift_restriction, case_restrict
from oversight import selectors, summary
from oversight.models import ComplianceFigure
from oversight.tasks import refresh_compliance_figures
from safeguard import beat
from tests.factories import make_user, submit_concern
from tests.meetings.meeting_helpers import travel
from tests.oversight.oversight_world import NOW
from tests.oversight.test_dashboard import figures, independent_assessments, independent_triage

pytestmark = pytest.mark.django_db

LATER = NOW + dt.timedelta(hours=2)


def count(when=NOW) -> None:
    with travel(when):
        summary.refresh()


def live(user, world, when) -> dict:
    """What the rule admits now, counted now over every row (no summary)."""
    with travel(when):
        months = selectors.last_months(when.date())
        counted = selectors.live_compliance(user, [world.la], months)
    return {
        c.measure.code: {f"{m.month:%Y-%m}": (m.total, m.on_time) for m in c.months if m.total}
        for c in counted
    }


def page_figures(client, user, when) -> tuple[dict, str]:
    client.force_login(user)
    with travel(when):
        response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    shown = {
        s["figures"].measure.code: {
            f"{m.month:%Y-%m}": (m.total, m.on_time) for m in s["figures"].months if m.total
        }
        for s in response.context["sections"]
    }
    return shown, response.content.decode()


def test_the_counted_figures_are_an_independent_count(client, year):
    before, html = page_figures(client, year.manager, NOW)
    assert "Figures counted just now" in html
    count()
    shown, html = page_figures(client, year.manager, NOW + dt.timedelta(minutes=1))
    assert "Figures as at 10:00 on 15 June 2026" in html
    assert shown == before == live(year.manager, year, NOW)
    # The calendar applied to the records' own dates, not the stored due dates.
    assert shown["triage"] == independent_triage(year)
    assert shown["assessments"] == independent_assessments(year)
    assert shown["icpcs"] == {"2025-10": (1, 1), "2026-05": (1, 0)}
    assert shown["reviews"] == {"2026-01": (1, 0)}
    # Nothing restricted in the stored rows: R's decision and assessment are
    # added for whoever is named on it, when they look.
    assert ComplianceFigure.objects.filter(agency=year.la, measure="assessments").count() == 2


def test_a_case_restricted_after_the_count_is_out_of_the_figures_at_once(client, year):
    count()
    with travel(NOW + dt.timedelta(hours=1)):
        case_restrict(
            acting_user=year.manager,
            case=year.a,
            reason="A high-profile family.",
            named_users=[year.social_worker],
        )
    shown, _ = page_figures(client, year.manager, LATER)
    # A's March decision and April assessment, counted before, are gone.
    assert shown["assessments"] == {"2026-06": (1, 0)} == independent_assessments(year)
    assert shown["triage"] == independent_triage(year)
    assert shown == live(year.manager, year, LATER)


def test_a_restricted_case_the_manager_is_named_on_is_in_their_figures(client, year):
    count()
    # R was restricted before the count, naming the social worker only; B is
    # restricted after it, naming the manager.
    with travel(NOW + dt.timedelta(hours=1)):
        case_restrict(
            acting_user=year.manager,
            case=year.b,
            reason="A member of staff's child: the manager only.",
            named_users=[year.manager],
        )
    shown, _ = page_figures(client, year.manager, LATER)
    assert shown == live(year.manager, year, LATER)
    assert shown["assessments"]["2026-06"] == (1, 0)  # B's, named on it
    assert "2026-03" not in shown["assessments"]  # R's, not named on it
    # The social worker, made a manager, sees R's from the stored figures' day.
    make_user("social_worker@la", year.la, "manager")
    theirs, _ = page_figures(client, year.social_worker, LATER)
    assert theirs["assessments"]["2026-03"] == (1, 1)
    assert theirs == live(year.social_worker, year, LATER)


def test_a_manager_named_on_every_restricted_case_sees_all_of_them(client, year):
    # The counts then name the cases the manager does not see (none) rather
    # than the ones they do: the same figures either way.
    count()
    make_user("social_worker@la", year.la, "manager")
    with travel(NOW + dt.timedelta(hours=1)):
        case_restrict(
            acting_user=year.manager,
            case=year.b,
            reason="A member of staff's child: two people only.",
            named_users=[year.social_worker, year.manager],
        )
    theirs, _ = page_figures(client, year.social_worker, LATER)
    assert theirs == live(year.social_worker, year, LATER)
    assert theirs["assessments"]["2026-03"] == (1, 1)  # R's, named on it
    assert theirs["assessments"]["2026-06"] == (1, 0)  # B's, restricted since the count
    # The manager is named on B only: R's stays out of their figures.
    mine, _ = page_figures(client, year.manager, LATER)
    assert mine == live(year.manager, year, LATER)
    assert "2026-03" not in mine["assessments"]


def test_a_restriction_lifted_shows_at_the_next_count_and_never_more_before(client, year):
    count()
    # Lifted by a manager named on R (the social worker, made one).
    make_user("social_worker@la", year.la, "manager")
    with travel(NOW + dt.timedelta(hours=1)):
        case_lift_restriction(
            acting_user=year.social_worker, case=year.r, reason="The family has moved away."
        )
    now_live = live(year.manager, year, LATER)
    assert now_live["assessments"]["2026-03"] == (1, 1)
    shown, _ = page_figures(client, year.manager, LATER)
    assert "2026-03" not in shown["assessments"]
    count(LATER)
    shown, _ = page_figures(client, year.manager, LATER)
    assert shown == now_live


def test_a_manager_who_moves_agency_sees_none_of_the_old_agencys_figures(client, year):
    count()
    membership = Membership.objects.get(user=year.manager, agency=year.la, role="manager")
    membership_deactivate(acting_user=year.la_admin, membership=membership)
    client.force_login(year.manager)
    with travel(LATER):
        assert client.get(reverse("dashboard")).status_code == 404
    make_user("manager@la", year.other_la, "manager")
    shown = figures(client, year.manager)
    assert not any(shown.values())
    with travel(NOW):
        response = client.get(reverse("dashboard"))
    assert year.la.name not in response.content.decode()


def test_the_refresh_is_a_beat_task_that_can_run_twice(year):
    assert beat.schedule()["oversight-refresh-figures"]["task"] == (
        "oversight.tasks.refresh_compliance_figures"
    )
    with travel(NOW):
        assert refresh_compliance_figures.apply().get() == 2  # both authorities
        first = sorted(ComplianceFigure.objects.values_list("measure", "month", "total", "on_time"))
        assert refresh_compliance_figures.apply(args=[[str(year.la.pk)]]).get() == 1
    again = sorted(ComplianceFigure.objects.values_list("measure", "month", "total", "on_time"))
    assert again == first and first


def test_the_counted_dashboard_is_a_fixed_few_queries(client, year, django_assert_max_num_queries):
    count()
    client.force_login(year.manager)
    # As the live page (20), less its six counts, plus when they were counted,
    # the stored figures, the agency's restricted cases, the counted work of
    # those the manager sees, and a count of the front door's rows on them.
    with travel(NOW), django_assert_max_num_queries(15):
        assert client.get(reverse("dashboard")).status_code == 200


def test_a_dashboard_with_no_figures_counted_asks_the_worker_after_it_commits(
    client, year, django_capture_on_commit_callbacks
):
    client.force_login(year.manager)
    with travel(NOW), django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("dashboard"))
    assert "Figures counted just now" in response.content.decode()
    # The worker (in-process here) has counted them: the next view reads them.
    with travel(NOW):
        html = client.get(reverse("dashboard")).content.decode()
    assert "Figures as at 10:00 on 15 June 2026" in html
    assert ComplianceFigure.objects.filter(agency=year.la).exists()


def test_a_concern_counted_before_it_was_linked_to_a_restricted_case_is_out_at_once(client, year):
    # A new concern about Rae (R's child, restricted to the social worker),
    # decided before the count and authorised after it: only then is it linked
    # to R, so the count had it with no case.
    with travel(NOW - dt.timedelta(hours=2)):
        concern = submit_concern(year, child_first_name="Rae", child_last_name="Test")
        services.concern_link_child(
            acting_user=year.social_worker, concern=concern, child=year.r.child
        )
    with travel(NOW - dt.timedelta(hours=1)):
        services.concern_record_decision(
            acting_user=year.social_worker,
            concern=concern,
            decision="assessment",
            reason="Needs assessment.",
            referral_source=services.suggested_referral_source(concern),
        )
    count()
    counted, _ = page_figures(client, year.manager, NOW + dt.timedelta(minutes=30))
    assert counted["triage"]["2026-06"][0] == 1
    with travel(NOW + dt.timedelta(hours=1)):
        concern = services.concern_authorise_decision(acting_user=year.manager, concern=concern)
    assert concern.case == year.r
    shown, _ = page_figures(client, year.manager, LATER)
    assert "2026-06" not in shown["triage"]
    assert shown == live(year.manager, year, LATER)
