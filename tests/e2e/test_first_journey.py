"""The first journey, in a real browser: a school logs a concern, the front door
triages it, a manager authorises it, a case opens, the school sees the outcome,
and people with no business there see nothing. axe-core checks every page."""

from __future__ import annotations

import re

import pytest
from django.test import override_settings

from tests.e2e.helpers import assert_accessible, sign_in, sign_out

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "e2e-demo-password"


@pytest.fixture
def demo(settings, seed_demo):
    settings.DEMO_PASSWORD = DEMO_PASSWORD
    seed_demo()


@override_settings(DEMO_PASSWORD=DEMO_PASSWORD)
def test_concern_to_case_journey(live_server, page, demo):
    base = live_server.url

    # 1. A teacher logs a concern.
    sign_in(page, base, "practitioner@hillside-primary", DEMO_PASSWORD)
    assert_accessible(page)
    page.get_by_role("link", name="Log a concern").first.click()
    page.wait_for_url(re.compile(r"/concerns/new/"))
    assert_accessible(page)

    # Submitting an empty form shows the problems without losing anything.
    page.get_by_label("Child's first name").fill("Skye")
    page.get_by_role("button", name="Submit concern").click()
    error_summary = page.locator(".govuk-error-summary")
    error_summary.wait_for()
    assert "There is a problem" in error_summary.inner_text()
    assert page.get_by_label("Child's first name").input_value() == "Skye"
    assert_accessible(page)

    page.get_by_label("Child's last name").fill("Marlowe-Quinn")
    dob = page.locator("#id_child_date_of_birth")
    dob.get_by_label("Day").fill("14")
    dob.get_by_label("Month").fill("2")
    dob.get_by_label("Year").fill("2017")
    page.locator("#id_child_postcode").fill("NS4 7XY")  # the look-up has a postcode too
    page.get_by_label("What did you see or hear?").fill(
        'Skye said: "Mum\'s boyfriend locked me out all night." <b>She was cold.</b>'
    )
    observed = page.locator("#id_observed_on")
    observed.get_by_label("Day").fill("1")
    observed.get_by_label("Month").fill("11")
    observed.get_by_label("Year").fill("2026")
    page.get_by_label("Neglect").check()
    page.locator("input[name=immediate_risk][value=yes]").check()
    page.get_by_label("What have you already done?").fill("Kept Skye at school; called 101.")
    page.locator("input[name=family_aware][value=no]").check()
    page.locator("input[name=sharing_basis][value=no_consent_harm]").check()
    page.get_by_label("Why are you sharing without consent?").fill("Risk of significant harm.")
    page.get_by_role("button", name="Submit concern").click()

    page.wait_for_url(re.compile(r"/submitted/"))
    reference = page.get_by_test_id("concern-reference").inner_text().strip()
    assert re.fullmatch(r"CON-\d{4}-\d{6}", reference)
    assert_accessible(page)
    page.get_by_role("link", name=f"Follow concern {reference}").click()
    assert "Awaiting triage" in page.get_by_test_id("concern-status").inner_text()
    concern_url = page.url
    # HTML typed into the account is shown as text, never rendered.
    assert "<b>She was cold.</b>" in page.get_by_test_id("concern-account").inner_text()
    sign_out(page)

    # 2. The duty social worker finds it at the front door, with its clock.
    sign_in(page, base, "social_worker@northshire-csc", DEMO_PASSWORD)
    page.get_by_role("link", name="Front door").first.click()
    queue = page.get_by_test_id("front-door-queue")
    row = queue.locator("tr", has_text=reference)
    assert "Immediate risk" in row.inner_text()
    assert re.search(r"working day|Due today", row.inner_text())
    assert_accessible(page)
    row.get_by_role("link", name=reference).click()
    assert "Decision due" in page.get_by_test_id("decision-clock").inner_text()
    assert_accessible(page)

    # No record matches, so create the child from what the teacher gave.
    new_child = page.locator("details", has_text="Create a new child record")
    if new_child.get_attribute("open") is None:
        new_child.locator("summary").click()
    page.locator("input[name=sex][value=F]").check()
    page.get_by_role("button", name="Create child record").click()
    assert "Skye Marlowe-Quinn" in page.get_by_test_id("linked-child").inner_text()
    page.locator("input[name=decision][value=strategy]").check()
    page.get_by_label("Reason for the decision").fill(
        "Child left outside overnight; strategy discussion needed today."
    )
    assert_accessible(page)
    page.get_by_role("button", name="Record decision").click()
    page.wait_for_url(re.compile(r"/front-door/$"))
    assert_accessible(page)
    sign_out(page)

    # 3. The manager authorises it and the case opens.
    sign_in(page, base, "manager@northshire-csc", DEMO_PASSWORD)
    page.goto(base + "/front-door/")
    page.get_by_role("link", name=reference).click()
    assert "Strategy discussion" in page.get_by_test_id("pending-decision").inner_text()
    assert_accessible(page)
    page.get_by_role("button", name="Authorise decision").click()
    page.wait_for_url(re.compile(r"/cases/[0-9a-f-]{36}/$"))
    case_url = page.url
    assert page.get_by_test_id("case-child-name").inner_text() == "Skye Marlowe-Quinn"
    assert reference in page.get_by_test_id("case-concerns").inner_text()
    chronology = page.get_by_test_id("chronology").inner_text()
    for event in (
        "Concern logged by Hillside Primary School",
        "Front door decision",
        "Case opened",
    ):
        assert event in chronology
    assert_accessible(page)
    sign_out(page)

    # 4. The teacher sees what happened to their concern.
    sign_in(page, base, "practitioner@hillside-primary", DEMO_PASSWORD)
    page.goto(concern_url)
    outcome = page.get_by_test_id("concern-outcome").inner_text()
    assert "Strategy discussion (section 47)" in outcome
    assert "strategy discussion needed today" in outcome
    assert_accessible(page)
    sign_out(page)

    # 5. Nobody else sees any of it.
    for outsider in (
        "practitioner@riverside-academy",
        "social_worker@eastfield-csc",
        "manager@eastfield-csc",
        "practitioner@eastfield-csc",
    ):
        sign_in(page, base, outsider, DEMO_PASSWORD)
        for url in (concern_url, case_url, concern_url.replace("/concerns/", "/front-door/")):
            response = page.goto(url)
            assert response is not None and response.status == 404, (outsider, url)
            assert "Page not found" in page.content()
            assert "Skye" not in page.content()
        assert_accessible(page)
        page.goto(base + "/cases/")
        assert "Skye" not in page.content()
        sign_out(page)
