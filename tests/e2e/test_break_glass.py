"""A manager breaks glass on a restricted case, sees it, and the access shows in
"who has viewed this record"."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import assert_accessible, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "e2e-demo-password"
REASON = "Police report the child missing tonight; I need the safety plan now."


def test_manager_breaks_glass_and_it_is_on_the_record(live_server, page, settings, seed_demo):
    settings.DEMO_PASSWORD = PASSWORD
    seed_demo()
    sign_in(page, live_server.url, "manager@northshire-csc", PASSWORD)

    page.get_by_role("link", name="Cases").first.click()
    restricted = page.get_by_test_id("restricted-records")
    restricted.get_by_role("link").first.click()
    assert "This is a restricted record" in page.get_by_test_id("restricted-notice").inner_text()
    assert_accessible(page)

    # A reason is required, and a short one is not enough.
    page.get_by_role("button", name="Break glass and see this case").click()
    assert "There is a problem" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)
    page.get_by_label("Why do you need to see this restricted case now?").fill(REASON)
    page.get_by_role("button", name="Break glass and see this case").click()

    page.wait_for_url(re.compile(r"/cases/[0-9a-f-]{36}/$"))
    banner = page.get_by_test_id("restricted-banner").inner_text()
    assert "break-glass access until" in banner
    assert page.get_by_test_id("case-child-name").inner_text().strip()
    expect(page.get_by_test_id("chronology")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Who has viewed this record").click()
    log = page.get_by_test_id("access-log").inner_text()
    assert "manager@northshire-csc" in log
    assert "case_viewed_break_glass" in log and REASON in log
    assert_accessible(page)

    page.get_by_role("link", name="Why can a person see this case?").click()
    page.get_by_label("Username").fill("manager@northshire-csc")
    page.get_by_role("button", name="Explain").click()
    explanation = page.get_by_test_id("access-explanation").inner_text()
    assert "break_glass" in explanation and REASON in explanation
    page.get_by_label("Username").fill("social_worker@eastfield-csc")
    page.get_by_role("button", name="Explain").click()
    assert "Nothing gives" in page.get_by_test_id("access-explanation").inner_text()
    assert_accessible(page)
