# ruff: noqa: F811 - the retention fixtures, imported below, are parameters here
"""An information governance officer works the retention queue in the browser,
with the keyboard: places a legal hold and finds destruction refused, lifts
the hold, keeps one record longer with a reason, and destroys another, ending
on its certificate. axe checks every page on the way."""

from __future__ import annotations

import re

import pytest

from cases.models import Child
from retention.models import DestructionCertificate
from tests.e2e.helpers import assert_accessible, follow, sign_in
from tests.factories import PASSWORD
from tests.retention.conftest import cp_child, nfa_concern, refresh, world  # noqa: F401 - fixtures

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    # One long journey through seven pages with axe on each: on a busy CI
    # machine it takes longer than the suite's default 300 s.
    pytest.mark.timeout(900),
]


def _submit_with_keyboard(page, button_name: str) -> None:
    page.get_by_role("button", name=button_name).focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state()


def test_an_officer_holds_extends_and_destroys_from_the_queue(
    live_server,
    page,
    world,
    cp_child,
    nfa_concern,
    refresh,
):
    refresh()
    sign_in(page, live_server.url, world.auditor.username, PASSWORD)
    page.get_by_role("link", name="Retention").first.click()
    queue = page.get_by_test_id("retention-queue")
    assert "Maisie Thornbury" in queue.inner_text()
    assert "Child protection record" in queue.inner_text()
    assert "Ottilie Brack" in queue.inner_text()
    assert_accessible(page)

    # A legal hold: the reason is required; then destruction is refused.
    follow(page, queue.get_by_role("link", name=re.compile("Maisie Thornbury")))
    assert_accessible(page)
    page.get_by_role("link", name="Place a legal hold").click()
    _submit_with_keyboard(page, "Place the hold")
    assert "Enter why the record is held" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)
    page.get_by_label("Why is the record held?").fill(
        "Civil claim by the family; the council's solicitor asked us to keep everything."
    )
    _submit_with_keyboard(page, "Place the hold")
    assert "cannot be destroyed" in page.get_by_test_id("held-notice").inner_text()
    assert page.get_by_role("link", name="Destroy the record").count() == 0
    review_url = page.url
    page.goto(review_url + "destroy/")
    assert "under a legal hold" in page.get_by_test_id("held-notice").inner_text()
    assert page.get_by_role("button", name="Destroy the record").count() == 0
    assert_accessible(page)
    page.goto(live_server.url + "/retention/")
    assert "Legal hold" in page.get_by_test_id("retention-queue").inner_text()

    # Lifting it, with a reason.
    page.goto(review_url)
    follow(page, page.get_by_role("link", name=re.compile("Lift this hold")))
    assert_accessible(page)
    page.get_by_label("Why is the hold lifted?").fill("The claim was withdrawn in writing.")
    _submit_with_keyboard(page, "Lift the hold")
    assert "was lifted" in page.locator(".govuk-notification-banner, body").first.inner_text()
    assert_accessible(page)

    # Keeping the other record longer: a date and a reason, nothing typed lost.
    page.goto(live_server.url + "/retention/")
    page.get_by_test_id("retention-queue").get_by_role(
        "link", name=re.compile("Ottilie Brack")
    ).click()
    page.get_by_role("link", name="Keep it longer").click()
    page.get_by_label("Year").fill("2099")
    _submit_with_keyboard(page, "Keep the record")
    assert "There is a problem" in page.locator(".govuk-error-summary").inner_text()
    assert page.get_by_label("Year").input_value() == "2099"
    assert_accessible(page)
    page.get_by_label("Day").fill("1")
    page.get_by_label("Month").fill("6")
    page.get_by_label("Why must the record be kept longer?").fill(
        "A complaint to the ombudsman about this contact is still open."
    )
    _submit_with_keyboard(page, "Keep the record")
    page.wait_for_url(re.compile(r"/retention/$"))
    assert "Ottilie Brack" not in page.get_by_test_id("retention-queue").inner_text()

    # Destroying: the confirmation is required, and given with the keyboard.
    page.get_by_test_id("retention-queue").get_by_role(
        "link", name=re.compile("Maisie Thornbury")
    ).click()
    follow(page, page.get_by_role("link", name="Destroy the record"))
    assert_accessible(page)
    _submit_with_keyboard(page, "Destroy the record")
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "Confirm that the record must be destroyed" in summary
    assert_accessible(page)
    page.get_by_role("checkbox").focus()
    page.keyboard.press("Space")
    _submit_with_keyboard(page, "Destroy the record")
    page.wait_for_url(re.compile(r"/retention/certificates/[0-9a-f-]{36}/$"))
    certificate = DestructionCertificate.objects.get()
    shown = page.get_by_test_id("certificate").inner_text()
    assert certificate.reference in page.content()
    assert cp_child.reference in shown and "Maisie" not in shown
    assert_accessible(page)
    assert not Child.objects.filter(pk=cp_child.pk).exists()
