"""A school refers a child to health; health accepts; the health practitioner
sees the shared chronology but not the lead agency's restricted note; the
school sees the outcome."""

import re

import pytest
from django.contrib.auth import get_user_model

from agencies.models import Agency
from cases.models import Case
from cases.services.record import case_note_add
from tests.e2e.helpers import assert_accessible, follow, sign_in, sign_out

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "e2e-demo-password"
RESTRICTED = "Lead only: legal planning meeting booked."


def test_school_refers_to_health_and_health_accepts(live_server, page, settings, seed_demo):
    settings.DEMO_PASSWORD = PASSWORD
    seed_demo()
    hillside = Agency.objects.get(slug="hillside-primary")
    health = Agency.objects.get(slug="northshire-health")
    case = (
        Case.objects.filter(
            is_restricted=False,
            involvements__agency=hillside,
            involvements__ended_at__isnull=True,
        )
        .exclude(involvements__agency=health)
        .first()
    )
    assert case is not None, "the demo needs a case the school is on and health is not"
    worker = get_user_model().objects.get(username="social_worker@northshire-csc")
    case_note_add(
        acting_user=worker,
        case=case,
        agency=case.lead_agency,
        text=RESTRICTED,
        sensitivity="restricted",
    )
    base = live_server.url

    sign_in(page, base, "practitioner@hillside-primary", PASSWORD)
    page.goto(f"{base}/cases/{case.pk}/")
    follow(page, page.get_by_role("link", name="Refer to another agency"))
    assert_accessible(page)
    page.get_by_label("Refer to").select_option(label=health.name)
    page.get_by_label("Why are you referring?").fill("Low mood and weight loss over a term.")
    page.get_by_label("What are you asking them to do?").fill("Please assess for CAMHS.")
    page.locator("input[name=urgency][value=routine]").check()
    page.locator("input[name=sharing_basis][value=consent]").check()
    page.get_by_role("button", name="Send referral").click()
    page.wait_for_url(re.compile(r"/referrals/[0-9a-f-]{36}/$"))
    referral_url = page.url
    reference = page.locator("h1").inner_text().strip()
    assert "Sent" in page.get_by_test_id("referral-status").inner_text()
    assert_accessible(page)
    sign_out(page)

    sign_in(page, base, "practitioner@northshire-health", PASSWORD)
    # Before accepting, health cannot open the case.
    assert page.goto(f"{base}/cases/{case.pk}/").status == 404
    page.get_by_role("link", name="Referrals").first.click()
    received = page.get_by_test_id("referrals-received")
    follow(page, received.get_by_role("link", name=reference))
    assert_accessible(page)
    page.get_by_role("button", name="Accept").click()
    assert "Accepted" in page.get_by_test_id("referral-status").inner_text()
    page.get_by_role("link", name=f"Case {case.reference}").click()
    chronology = page.get_by_test_id("chronology").inner_text()
    assert "accepted" in chronology and "Case opened" in chronology
    assert RESTRICTED not in page.content()
    assert_accessible(page)
    sign_out(page)

    sign_in(page, base, "practitioner@hillside-primary", PASSWORD)
    page.goto(referral_url)
    assert "Accepted" in page.get_by_test_id("referral-status").inner_text()
    assert_accessible(page)
