"""An agency administrator's pages in the browser: members, a new member, teams.
They hold no case data, and axe-core finds nothing wrong on any of them."""

import re

import pytest

from agencies.models import Team
from tests.e2e.helpers import assert_accessible, follow, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "e2e-demo-password"


def test_an_administrator_manages_members_and_teams(live_server, page, settings, seed_demo):
    settings.DEMO_PASSWORD = PASSWORD
    seed_demo()
    base = live_server.url
    sign_in(page, base, "agency_admin@northshire-csc", PASSWORD)
    page.get_by_role("link", name="Members").first.click()
    page.wait_for_url(re.compile(r"/agencies/northshire-csc/members/$"))
    assert "social_worker@northshire-csc" in page.content()
    assert_accessible(page)

    page.get_by_role("button", name="Add a member").click()
    page.get_by_role("button", name="Add member").click()  # nothing typed: told what is missing
    assert "Enter their first name" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)

    page.goto(f"{base}/agencies/northshire-csc/teams/")
    assert_accessible(page)
    page.get_by_label("Team name").fill("Duty and assessment")
    page.get_by_label(re.compile(r"\(social_worker@northshire-csc\)")).check()
    page.get_by_role("button", name="Add team").click()
    assert "Duty and assessment" in page.get_by_test_id("teams").inner_text()
    follow(page, page.get_by_role("link", name=re.compile("Duty and assessment")))
    assert_accessible(page)
    team = Team.objects.get(agency__slug="northshire-csc", name="Duty and assessment")
    assert [m.username for m in team.members.all()] == ["social_worker@northshire-csc"]
