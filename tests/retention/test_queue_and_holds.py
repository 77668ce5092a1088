"""The retention queue, extensions and legal holds (SPEC 3.9, issue 13)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cases.models import Child
from retention import services
from retention.models import LegalHold, RetentionReview
from safeguard.audit.models import AuditEvent
from tests.retention.conftest import add_cp_plan, close_case, decided_nfa, years_ago

pytestmark = pytest.mark.django_db


def test_a_child_protection_record_past_35_years_appears_in_the_queue(
    client, world, cp_child, refresh
):
    refresh()
    review = RetentionReview.objects.get(child=cp_child)
    closed = cp_child.cases.get().closed_at
    assert review.rule == "child_protection"
    assert review.due_on == timezone.localtime(closed).date().replace(
        year=timezone.localtime(closed).year + 35
    )
    client.force_login(world.auditor)
    page = client.get(reverse("retention_queue")).content.decode()
    assert "Maisie Thornbury" in page and "Child protection record" in page
    assert AuditEvent.objects.filter(event="retention_queue_viewed", user=world.auditor).exists()


def test_records_not_yet_due_or_still_live_stay_out_of_the_queue(world, refresh):
    from tests.factories import open_case_from_concern, submit_concern

    # Child protection, closed 34 years ago: a year to go.
    case = open_case_from_concern(world, submit_concern(world, child_first_name="Ada"))
    add_cp_plan(case, dt.date(1990, 1, 1))
    close_case(case, closed_at=years_ago(34))
    # Open case, however old the child.
    open_case = open_case_from_concern(world, submit_concern(world, child_first_name="Bea"))
    Child.objects.filter(pk=open_case.child_id).update(date_of_birth=dt.date(1980, 1, 1))
    # No further action 5 years ago: one to go.
    recent = decided_nfa(world, first_name="Cleo", last_name="Marsh", years=5)
    refresh()
    assert not RetentionReview.objects.filter(
        child__in=[case.child_id, open_case.child_id, recent.child_id]
    ).exists()


def test_child_in_need_is_kept_until_the_25th_birthday(world, refresh):
    from tests.factories import open_case_from_concern, submit_concern

    case = open_case_from_concern(world, submit_concern(world, child_first_name="Dara"))
    birthday = timezone.localdate().replace(year=timezone.localdate().year - 26)
    Child.objects.filter(pk=case.child_id).update(date_of_birth=birthday)
    close_case(case, closed_at=years_ago(9))
    refresh()
    review = RetentionReview.objects.get(child=case.child_id)
    assert review.rule == "child_in_need"
    assert review.due_on == birthday.replace(year=birthday.year + 25)


def test_no_further_action_is_kept_six_years_after_the_decision(world, nfa_concern, refresh):
    refresh()
    review = RetentionReview.objects.get(child=nfa_concern.child_id)
    assert review.rule == "concern_no_case"
    decided = timezone.localtime(nfa_concern.decided_at).date()
    assert review.due_on == decided.replace(year=decided.year + 6)


def test_a_council_sets_its_own_periods(settings, world, cp_child, refresh):
    settings.RETENTION_COUNCIL_SCHEDULES = {"la-csc": {"child_protection": 40}}
    refresh()
    assert not RetentionReview.objects.filter(child=cp_child).exists()
    settings.RETENTION_COUNCIL_SCHEDULES = {"other-la": {"child_protection": 40}}
    refresh()
    assert RetentionReview.objects.filter(child=cp_child).exists()


def test_the_refresh_is_idempotent_and_drops_what_is_no_longer_due(world, cp_child, refresh):
    refresh()
    first = RetentionReview.objects.get(child=cp_child)
    refresh()
    again = RetentionReview.objects.get(child=cp_child)
    assert (again.pk, again.due_on, again.rule) == (first.pk, first.due_on, first.rule)
    # A new concern about the child makes the record live again.
    from cases import services as case_services
    from tests.factories import submit_concern

    concern = submit_concern(world, child_first_name="Maisie", child_last_name="Thornbury")
    case_services.concern_link_child(
        acting_user=world.social_worker, concern=concern, child=cp_child
    )
    refresh()
    assert not RetentionReview.objects.filter(child=cp_child).exists()


def test_only_the_agencys_auditors_see_the_queue(client, world, cp_child, refresh):
    refresh()
    review = RetentionReview.objects.get(child=cp_child)
    for user in (world.social_worker, world.manager, world.la_admin, world.other_manager):
        client.force_login(user)
        assert client.get(reverse("retention_queue")).status_code == 404
        assert client.get(reverse("retention_review", args=[review.pk])).status_code == 404
        assert (
            client.post(
                reverse("retention_destroy", args=[review.pk]), {"confirm": "on"}
            ).status_code
            == 404
        )
    assert Child.objects.filter(pk=cp_child.pk).exists()


def test_the_queue_page_costs_the_same_for_50_rows(
    client, world, refresh, django_assert_max_num_queries
):
    for i in range(55):
        decided_nfa(world, first_name=f"Kit{i}", last_name="Vale", years=7)
    refresh()
    client.force_login(world.auditor)
    with django_assert_max_num_queries(14):
        first = client.get(reverse("retention_queue"))
    assert first.status_code == 200
    assert first.content.decode().count("Kit") == 50
    nxt = first.context["next_after"]
    second = client.get(reverse("retention_queue"), {"after": nxt}).content.decode()
    assert second.count("Kit") == 5


def test_extending_needs_a_future_date_and_a_reason(client, world, cp_child, refresh):
    refresh()
    review = RetentionReview.objects.get(child=cp_child)
    client.force_login(world.auditor)
    url = reverse("retention_extend", args=[review.pk])
    response = client.post(
        url, {"retain_until_0": "1", "retain_until_1": "1", "retain_until_2": "2020"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page and "Enter why the record must be kept longer" in page
    assert 'value="2020"' in page  # nothing typed is lost
    future = timezone.localdate().year + 2
    response = client.post(
        url,
        {
            "retain_until_0": "31",
            "retain_until_1": "3",
            "retain_until_2": str(future),
            "reason": "The family's complaint to the ombudsman is still open.",
        },
    )
    assert response.status_code == 302
    assert not RetentionReview.objects.filter(child=cp_child).exists()
    refresh()
    assert not RetentionReview.objects.filter(child=cp_child).exists()
    row = AuditEvent.objects.get(event="retention_extended")
    assert row.user == world.auditor and "ombudsman" in row.reason


def test_a_held_record_cannot_be_destroyed_by_the_service_or_the_page(
    client, world, cp_child, refresh
):
    refresh()
    review = RetentionReview.objects.get(child=cp_child)
    case = cp_child.cases.get()
    with pytest.raises(ValidationError):
        services.legal_hold_place(acting_user=world.auditor, target=case, reason="short")
    hold = services.legal_hold_place(
        acting_user=world.auditor,
        target=case,
        reason="Civil claim by the family: the council's solicitor asked for a hold.",
    )
    review.refresh_from_db()
    assert review.held and hold.placed_by == world.auditor

    with pytest.raises(ValidationError, match="legal hold"):
        services.retention_destroy(acting_user=world.auditor, review=review)
    client.force_login(world.auditor)
    queue = client.get(reverse("retention_queue")).content.decode()
    assert "Legal hold" in queue
    response = client.post(reverse("retention_destroy", args=[review.pk]), {"confirm": "on"})
    assert response.status_code == 400
    assert "under a legal hold" in response.content.decode()
    assert Child.objects.filter(pk=cp_child.pk).exists()

    # Lifting needs a reason, is audited, and then destruction may go ahead.
    lift = reverse("legal_hold_lift", args=[hold.pk])
    assert client.post(lift, {"lift_reason": ""}).status_code == 400
    assert (
        client.post(lift, {"lift_reason": "The claim was withdrawn on 3 May."}).status_code == 302
    )
    hold.refresh_from_db()
    assert hold.lifted_by == world.auditor and "withdrawn" in hold.lift_reason
    assert AuditEvent.objects.filter(event="legal_hold_placed").exists()
    assert AuditEvent.objects.filter(event="legal_hold_lifted").exists()
    review.refresh_from_db()
    assert not review.held
    certificate = services.retention_destroy(acting_user=world.auditor, review=review)
    assert certificate.record_reference == cp_child.reference
    assert not LegalHold.objects.exists()


def test_a_hold_by_reference_holds_a_record_not_yet_due(client, world, refresh):
    from tests.factories import open_case_from_concern, submit_concern

    case = open_case_from_concern(world, submit_concern(world))
    client.force_login(world.auditor)
    url = reverse("legal_holds")
    response = client.post(url, {"reference": "CAS-1999-000001", "reason": "An inquiry asked."})
    assert response.status_code == 400
    assert "No child, case or concern of yours" in response.content.decode()
    response = client.post(
        url, {"reference": case.reference.lower(), "reason": "Inquiry into the county's homes."}
    )
    assert response.status_code == 302
    hold = LegalHold.objects.get()
    assert hold.case == case and hold.lifted_at is None
    assert case.reference in client.get(url).content.decode()
    # Another council's auditor cannot hold it.
    from tests.factories import make_user

    other = make_user("auditor@other-la", world.other_la, "auditor")
    client.force_login(other)
    response = client.post(url, {"reference": case.reference, "reason": "Inquiry into homes."})
    assert response.status_code == 400
    assert LegalHold.objects.count() == 1
