"""Two people change the same child's record at once, each in their own browser.
The second save is refused and shows the first person's change, keeping what
the second person typed; saving again keeps both changes. Nothing is lost."""

import re

import pytest

from cases.models import Case, Child
from tests.e2e.helpers import assert_accessible, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "e2e-demo-password"


def open_child_edit(page, base: str, case: Case) -> None:
    page.goto(f"{base}/cases/{case.pk}/")
    assert_accessible(page)
    page.get_by_role("link", name="Change the child's details").click()
    page.wait_for_url(f"**/cases/{case.pk}/child/")
    assert_accessible(page)


def test_two_people_edit_the_same_child_and_neither_change_is_lost(
    live_server, browser, page, settings, seed_demo
):
    settings.DEMO_PASSWORD = PASSWORD
    seed_demo()
    case = (
        Case.objects.filter(lead_agency__slug="northshire-csc", status="open", is_restricted=False)
        .select_related("child")
        .first()
    )
    assert case is not None, "the demo needs an open Northshire case"
    child = case.child
    new_language = "Polish" if child.language != "Polish" else "Romanian"
    base = live_server.url

    # A second browser, with its own cookies: a different person at another desk.
    other_context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    other_context.set_default_timeout(15_000)
    manager = other_context.new_page()
    problems: list[str] = []  # as the page fixture checks its own page: CSP and scripts
    manager.on("console", lambda m: m.type == "error" and problems.append(m.text))
    manager.on("pageerror", lambda e: problems.append(str(e)))
    try:
        sign_in(page, base, "social_worker@northshire-csc", PASSWORD)
        sign_in(manager, base, "manager@northshire-csc", PASSWORD)
        open_child_edit(page, base, case)
        open_child_edit(manager, base, case)

        # The social worker saves first.
        page.get_by_label("First language").fill(new_language)
        page.get_by_role("button", name="Save").click()
        page.wait_for_url(re.compile(rf"/cases/{case.pk}/$"))
        assert "The child's record has been updated" in page.content()
        assert_accessible(page)

        # The manager, still on the page they opened before, changes something else.
        manager.get_by_label("Other names or aliases").fill("Jay")
        manager.get_by_role("button", name="Save").click()
        warning = manager.get_by_test_id("stale-edit")
        assert (
            "Someone else changed this record"
            in manager.locator(".govuk-error-summary").inner_text()
        )
        assert f"First language: {new_language}" in warning.inner_text()
        # What they typed is still there, and the other change is not undone in the form.
        assert manager.get_by_label("Other names or aliases").input_value() == "Jay"
        assert manager.get_by_label("First language").input_value() == new_language
        assert_accessible(manager)
        child.refresh_from_db()
        assert child.language == new_language and child.other_names != "Jay"

        # Having seen it, the manager saves again: both changes are in the record.
        manager.get_by_role("button", name="Save").click()
        manager.wait_for_url(re.compile(rf"/cases/{case.pk}/$"))
        identity = manager.get_by_test_id("case-child").inner_text()
        assert "also known as Jay" in identity and new_language in identity
        assert_accessible(manager)
        saved = Child.objects.get(pk=child.pk)
        assert (saved.language, saved.other_names) == (new_language, "Jay")
        assert not [p for p in problems if not p.startswith("Failed to load resource")], problems
    finally:
        other_context.close()
