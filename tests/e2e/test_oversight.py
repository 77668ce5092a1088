"""The manager's dashboard and the chair's view in the browser (issue 15):
the unallocated figure checked against the record, its drill-down and a
timescale's reached by keyboard alone, axe on every page, and at phone width
nothing wider than the screen."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from cases.models import Case
from cases.selectors import case_visible_to
from tests.e2e.helpers import assert_accessible, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "e2e-demo-password"
MANAGER = "manager@northshire-csc"
CHAIR = "chair@northshire-csc"


def press(page, locator, key: str = "Enter") -> None:
    """Move the keyboard's focus to ``locator`` and press a key: no mouse."""
    locator.focus()
    with page.expect_navigation():
        page.keyboard.press(key)
    page.wait_for_load_state()


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_manager_reads_the_dashboard_and_follows_figures_by_keyboard(
    live_server, page, settings, seed_demo
):
    settings.DEMO_PASSWORD = PASSWORD
    seed_demo()
    manager = get_user_model().objects.get(username=MANAGER)
    # Counted here independently: Northshire's open cases with nobody
    # allocated that the manager may see.
    waiting = (
        Case.objects.filter(
            lead_agency__slug="northshire-csc", status="open", allocated_worker__isnull=True
        )
        .filter(case_visible_to(manager))
        .count()
    )
    assert waiting > 0
    base = live_server.url

    sign_in(page, base, MANAGER, PASSWORD)
    page.get_by_role("link", name="Dashboard", exact=True).click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    figure = page.get_by_test_id("unallocated-count")
    expect(figure).to_contain_text(
        f"{waiting} open case{'s' if waiting != 1 else ''} not allocated"
    )
    # Each chart is an image whose name is its measure and whose description
    # states the figures; a table beside it holds the same figures.
    chart = page.get_by_role("img", name=re.compile("Assessments completed within 45 working days"))
    expect(chart).to_be_visible()
    expect(page.get_by_test_id("table-assessments")).to_be_visible()
    assert_accessible(page)

    press(page, figure.get_by_role("link"))
    expect(page.get_by_role("heading", name="Open cases not allocated to anyone")).to_be_visible()
    rows = page.get_by_test_id("workload-cases").locator("tbody tr")
    expect(rows).to_have_count(min(waiting, 25))
    assert_accessible(page)

    # A timescale's first non-zero month, its cases reached by keyboard.
    page.go_back()
    page.wait_for_load_state()
    # The demo's front door decided concerns this year: the first month with
    # any, its cases reached by keyboard, as many rows as the figure says.
    link = page.get_by_test_id("table-triage").locator("tbody a").first
    expect(link).to_be_visible()
    done = int(re.match(r"\d+", link.inner_text()).group())
    press(page, link)
    expect(page.get_by_test_id("figure-cases")).to_be_visible()
    expect(page.get_by_test_id("figure-cases").locator("tbody tr")).to_have_count(min(done, 25))
    assert_accessible(page)

    # On a phone the dashboard's tables reflow and the charts scale.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(base + "/dashboard/")
    expect(page.get_by_test_id("caseloads")).to_be_visible()
    assert fits_the_screen(page)
    assert_accessible(page)


def test_a_chair_sees_the_conferences_owed(live_server, page, settings, seed_demo):
    settings.DEMO_PASSWORD = PASSWORD
    seed_demo()
    base = live_server.url
    sign_in(page, base, CHAIR, PASSWORD)
    page.get_by_role("link", name="Conferences due", exact=True).click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Conferences due", level=1)).to_be_visible()
    expect(page.get_by_test_id("icpcs-summary")).to_contain_text("owed")
    expect(page.get_by_test_id("reviews-summary")).to_contain_text("owed")
    assert_accessible(page)
    # A chair has no manager's dashboard.
    assert page.goto(base + "/dashboard/").status == 404
