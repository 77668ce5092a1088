"""Retention over the API (issue 16), driven as an integration would drive it:
an information governance officer's token, the queue, a review, an extension,
a legal hold that refuses destruction until it is lifted, the destruction and
its certificate. Everyone else meets 404s, as on the pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cases.models import Case, Child, Concern
from retention.models import DestructionCertificate, LegalHold, RetentionReview
from safeguard.audit.models import AuditEvent
from tests.factories import make_user, open_case_from_concern, submit_concern
from tests.retention.conftest import add_cp_plan, close_case, years_ago

pytestmark = pytest.mark.django_db

API = "/api/v1/retention/"


def token_client(user) -> APIClient:
    client = APIClient()
    key = Token.objects.get_or_create(user=user)[0].key
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def review_of(record) -> RetentionReview:
    field = "child" if isinstance(record, Child) else "concern"
    return RetentionReview.objects.get(**{field: record})


def test_the_officer_extends_holds_lifts_and_destroys_over_the_api(
    world, cp_child, nfa_concern, refresh, django_assert_max_num_queries
):
    refresh()
    officer = token_client(world.auditor)

    # The queue, oldest date first, one page: its reads do not grow with its rows
    # (the token's first use, recorded once, is out of the count).
    assert officer.get(API + "schedule/").status_code == 200
    with django_assert_max_num_queries(10):
        queue = officer.get(API + "reviews/")
    assert queue.status_code == 200, queue.content
    rows = {row["record_reference"]: row for row in queue.json()["results"]}
    maisie = rows[cp_child.reference]
    assert maisie["child_name"] == "Maisie Thornbury"
    assert maisie["rule"] == "child_protection" and maisie["held"] is False
    assert nfa_concern.child.reference in rows
    assert AuditEvent.objects.filter(event="retention_queue_viewed", user=world.auditor).exists()

    # One record's review: what it holds, audited as a view of its identity.
    review = officer.get(f"{API}reviews/{maisie['id']}/").json()
    assert (review["cases"], review["holds"]) == (1, [])
    assert AuditEvent.objects.filter(
        event="retention_review_viewed", object_id=str(cp_child.pk)
    ).exists()

    # Ottilie's record is kept two more years, for a reason on record.
    ottilie = rows[nfa_concern.child.reference]
    until = timezone.localdate() + dt.timedelta(days=730)
    kept = officer.post(
        f"{API}reviews/{ottilie['id']}/extend/",
        {"retain_until": until.isoformat(), "reason": "Her sibling's case may reopen."},
        format="json",
    )
    assert kept.status_code == 201, kept.content
    assert kept.json()["retain_until"] == until.isoformat()
    queue = officer.get(API + "reviews/").json()["results"]
    assert [row["record_reference"] for row in queue] == [cp_child.reference]
    assert AuditEvent.objects.get(event="retention_extended").reason == (
        "Her sibling's case may reopen."
    )

    # A claim arrives: Maisie's record is held, and destruction is refused.
    held = officer.post(
        f"{API}reviews/{maisie['id']}/hold/",
        {"reason": "A claim against the council names her."},
        format="json",
    )
    assert held.status_code == 201, held.content
    hold = held.json()
    assert hold["active"] is True and hold["record_reference"] == cp_child.reference
    refused = officer.post(
        f"{API}reviews/{maisie['id']}/destroy/", {"confirm": True}, format="json"
    )
    assert refused.status_code == 409
    assert "legal hold" in refused.json()["detail"] and refused.json()["errors"] == {}
    assert Child.objects.filter(pk=cp_child.pk).exists()
    assert not DestructionCertificate.objects.exists()
    with django_assert_max_num_queries(10):
        standing = officer.get(API + "holds/").json()["results"]
    assert [h["id"] for h in standing] == [hold["id"]]
    assert officer.get(f"{API}reviews/{maisie['id']}/").json()["held"] is True

    # The claim is settled: the hold is lifted, for a reason.
    lifted = officer.post(
        f"{API}holds/{hold['id']}/lift/",
        {"lift_reason": "The claim was settled in March."},
        format="json",
    )
    assert lifted.status_code == 200, lifted.content
    assert lifted.json()["active"] is False and lifted.json()["lifted_by"] == "auditor@la"
    assert officer.get(f"{API}holds/{hold['id']}/").status_code == 404  # nothing left to do
    assert officer.get(API + "holds/").json()["results"] == []

    # Destruction needs the confirmation, then goes for good.
    unconfirmed = officer.post(f"{API}reviews/{maisie['id']}/destroy/", {}, format="json")
    assert unconfirmed.status_code == 400
    assert "confirm" in unconfirmed.json()["errors"]
    declined = officer.post(
        f"{API}reviews/{maisie['id']}/destroy/", {"confirm": False}, format="json"
    )
    assert declined.json()["errors"] == {"confirm": ["Confirm that the record must be destroyed"]}
    case_id = cp_child.cases.get().pk
    destroyed = officer.post(
        f"{API}reviews/{maisie['id']}/destroy/", {"confirm": True}, format="json"
    )
    assert destroyed.status_code == 201, destroyed.content
    certificate = destroyed.json()
    assert not Child.objects.filter(pk=cp_child.pk).exists()
    assert not Case.objects.filter(pk=case_id).exists()
    assert not LegalHold.objects.filter(pk=hold["id"]).exists()
    assert certificate["record_kind"] == "child"
    assert certificate["record_reference"] == cp_child.reference
    assert certificate["case_ids"] == [str(case_id)]
    assert certificate["rule"] == "child_protection"
    assert certificate["confirmed_by"] == "auditor@la"
    assert certificate["counts"]["case"] == 1 and certificate["counts"]["child"] == 1
    assert "Maisie" not in str(certificate) and "Thornbury" not in str(certificate)

    # The certificate stays, and reading it is on the record.
    with django_assert_max_num_queries(10):
        listed = officer.get(API + "certificates/").json()["results"]
    assert [c["reference"] for c in listed] == [certificate["reference"]]
    again = officer.get(f"{API}certificates/{certificate['id']}/")
    assert again.json() == certificate
    events = set(AuditEvent.objects.values_list("event", flat=True))
    assert {
        "legal_hold_placed",
        "legal_hold_lifted",
        "record_destroyed",
        "destruction_certificate_viewed",
    } <= events
    assert officer.get(f"{API}reviews/{maisie['id']}/").status_code == 404


def test_a_hold_by_reference_and_the_schedule(world, refresh):
    """A record not yet due can be held by its reference, as on the holds page."""
    case = open_case_from_concern(world, submit_concern(world))
    officer = token_client(world.auditor)
    held = officer.post(
        API + "holds/",
        {"reference": case.reference.lower(), "reason": "The ombudsman asked us to keep it."},
        format="json",
    )
    assert held.status_code == 201, held.content
    assert held.json()["record_kind"] == "case"
    assert LegalHold.objects.get().case_id == case.pk
    unknown = officer.post(
        API + "holds/", {"reference": "CAS-1999-000001", "reason": "x" * 20}, format="json"
    )
    assert unknown.status_code == 400
    assert unknown.json()["errors"] == {
        "reference": ["No child, case or concern of yours has this reference"]
    }
    schedule = officer.get(API + "schedule/").json()
    assert {rule["code"]: rule["years"] for rule in schedule}["child_protection"] == 35


def test_what_was_sent_wrong_is_a_400_with_the_error_body(world, cp_child, refresh):
    refresh()
    officer = token_client(world.auditor)
    review = review_of(cp_child)
    url = f"{API}reviews/{review.pk}/"
    short = officer.post(
        url + "extend/",
        {"retain_until": (timezone.localdate() + dt.timedelta(days=30)).isoformat(), "reason": "x"},
        format="json",
    )
    assert short.status_code == 400
    assert short.json()["errors"] == {"reason": ["Give the reason in at least 10 characters"]}
    past = officer.post(
        url + "extend/",
        {"retain_until": "2001-01-01", "reason": "Kept for a claim."},
        format="json",
    )
    assert past.json()["errors"] == {"retain_until": ["The new date must be in the future"]}
    missing = officer.post(url + "hold/", {}, format="json")
    assert missing.status_code == 400 and set(missing.json()) == {"detail", "errors"}
    assert "reason" in missing.json()["errors"]
    not_text = officer.post(url + "hold/", {"reason": 12345678901}, format="json")
    assert not_text.json()["errors"] == {"reason": ["Not a valid string."]}
    assert not LegalHold.objects.exists() and review_of(cp_child).held is False


def test_a_record_not_due_any_more_is_not_destroyed(world, cp_child, refresh):
    """The queue row is from the last refresh; the service checks again under lock."""
    refresh()
    review = review_of(cp_child)
    Case.objects.filter(child=cp_child).update(status=Case.Status.OPEN, closed_at=None)
    response = token_client(world.auditor).post(
        f"{API}reviews/{review.pk}/destroy/", {"confirm": True}, format="json"
    )
    assert response.status_code == 409
    assert "not due for destruction" in response.json()["detail"]
    assert Child.objects.filter(pk=cp_child.pk).exists()


def test_everyone_but_the_agencys_officers_gets_404(world, cp_child, refresh):
    refresh()
    officer = token_client(world.auditor)
    hold = officer.post(
        f"{API}reviews/{review_of(cp_child).pk}/hold/",
        {"reason": "A claim against the council names her."},
        format="json",
    ).json()
    # A second record, destroyed, for its certificate.
    other = open_case_from_concern(world, submit_concern(world, child_first_name="Rufus"))
    add_cp_plan(other, (years_ago(40)).date())
    close_case(other, closed_at=years_ago(39))
    refresh()
    certificate = officer.post(
        f"{API}reviews/{review_of(other.child).pk}/destroy/", {"confirm": True}, format="json"
    ).json()
    review = review_of(cp_child)
    objects = [
        ("get", f"{API}reviews/{review.pk}/"),
        ("post", f"{API}reviews/{review.pk}/extend/"),
        ("post", f"{API}reviews/{review.pk}/hold/"),
        ("post", f"{API}reviews/{review.pk}/destroy/"),
        ("get", f"{API}holds/{hold['id']}/"),
        ("post", f"{API}holds/{hold['id']}/lift/"),
        ("get", f"{API}certificates/{certificate['id']}/"),
    ]
    lists = [API + "reviews/", API + "holds/", API + "certificates/", API + "schedule/"]
    other_officer = make_user("auditor@other-la", world.other_la, "auditor")
    body = {
        "confirm": True,
        "reason": "Trying from the wrong seat.",
        "lift_reason": "Trying from the wrong seat.",
        "retain_until": "2099-01-01",
    }
    wrong_role = [world.manager, world.social_worker, world.la_admin, world.teacher]
    for user in [*wrong_role, other_officer]:
        client = token_client(user)
        for method, url in objects:
            response = getattr(client, method)(url, body, format="json")
            assert response.status_code == 404, (user, method, url)
            assert set(response.json()) == {"detail", "errors"}
        for url in lists:
            response = client.get(url)
            if user is other_officer:
                # Their own agency's (empty) queue, holds and certificates.
                assert response.status_code == 200, url
                assert cp_child.reference not in response.content.decode()
            else:
                assert response.status_code == 404, (user, url)
        # Asking for the lead agency by slug is no way in.
        assert client.get(API + "reviews/", {"agency": "la-csc"}).status_code == 404
        refused = client.post(
            API + "holds/", {"reference": cp_child.reference, "reason": body["reason"]}
        )
        assert refused.status_code == (400 if user is other_officer else 404)
    assert Child.objects.filter(pk=cp_child.pk).exists()
    assert LegalHold.objects.filter(lifted_at__isnull=True).count() == 1
    assert not Concern.objects.filter(child=other.child_id).exists()
    assert APIClient().get(API + "reviews/").status_code == 401


def test_a_concern_that_stands_alone_is_reviewed_and_destroyed(world, refresh):
    """A concern decided long ago that never led to a child's record (the
    decision needs a child now; older records may have none)."""
    concern = submit_concern(world, child_first_name="Ivo", child_last_name="Pendleby")
    Concern.objects.filter(pk=concern.pk).update(
        status=Concern.Status.COMPLETED, decision="nfa", decided_at=years_ago(7)
    )
    refresh()
    officer = token_client(world.auditor)
    (row,) = officer.get(API + "reviews/").json()["results"]
    assert row["record_kind"] == "concern" and row["record_reference"] == concern.reference
    assert row["child_name"] == "Ivo Pendleby" and row["date_of_birth"] is None
    review = officer.get(f"{API}reviews/{row['id']}/").json()
    assert (review["cases"], review["concerns"]) == (None, None)
    certificate = officer.post(
        f"{API}reviews/{row['id']}/destroy/", {"confirm": True}, format="json"
    ).json()
    assert certificate["record_kind"] == "concern" and certificate["case_ids"] == []
    assert not Concern.objects.filter(pk=concern.pk).exists()
