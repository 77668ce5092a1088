"""Issue 14 item 2 in the browser: on a 390 x 844 phone, with the keyboard
alone, a teacher logs a concern with a body-map mark on the form itself; axe
checks every page."""

from __future__ import annotations

import pytest

from cases.models import Concern
from tests.e2e.helpers import assert_accessible, sign_in
from tests.factories import PASSWORD, World

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def tab_to(page, selector: str, limit: int = 80) -> None:
    """Press Tab until the element matching ``selector`` has the focus."""
    for _ in range(limit):
        if page.evaluate(f"document.activeElement.matches({selector!r})"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def type_into(page, selector: str, text: str) -> None:
    tab_to(page, selector)
    page.keyboard.type(text)


def test_a_concern_with_a_mark_on_a_phone_by_keyboard(live_server, page):
    page.set_viewport_size(PHONE)
    world = World()
    sign_in(page, live_server.url, world.teacher.username, PASSWORD)
    page.goto(f"{live_server.url}/concerns/new/")
    assert_accessible(page)

    # A compact header: the first question is on the first screen.
    first = page.get_by_label("Child's first name")
    assert first.bounding_box()["y"] + 40 < PHONE["height"], first.bounding_box()

    # Every part of both outlines is a target of at least 24 x 24 CSS pixels.
    parts = page.locator("svg[data-body-map-side] [data-region]")
    assert parts.count() == 26
    for i in range(parts.count()):
        box = parts.nth(i).bounding_box()
        assert box["width"] >= 24 and box["height"] >= 24, (
            parts.nth(i).get_attribute("data-region"),
            box,
        )
    # Front and back, and the child's left and right, are labelled.
    outline = page.locator("[data-body-map-input]").inner_text()
    for words in ("Front: the child facing you", "Back: the child's back to you"):
        assert words in outline
    assert outline.count("Child's right") == 2 and outline.count("Child's left") == 2

    page.locator("body").focus()
    type_into(page, "#id_child_first_name", "Amelia")
    type_into(page, "#id_child_last_name", "Hart")
    type_into(page, "#id_child_date_of_birth_0", "4")
    type_into(page, "#id_child_date_of_birth_1", "5")
    type_into(page, "#id_child_date_of_birth_2", "2016")
    type_into(page, "#id_account", "She said: 'Dad grabbed my arm'.")
    type_into(page, "#id_observed_on_0", "1")
    type_into(page, "#id_observed_on_1", "11")
    type_into(page, "#id_observed_on_2", "2026")
    tab_to(page, "input[name=categories][value=physical]")
    page.keyboard.press("Space")

    # On to the outline with Tab: the child's left arm, seen from the front.
    tab_to(page, 'svg[data-body-map-side="front"] [data-region="left_arm"]')
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == ("Front: Left arm")
    page.keyboard.press("Enter")
    status = page.locator("[data-body-map-status]")
    assert status.inner_text() == ("Mark 1 added: Front, left arm. Describe it in mark 1 below.")
    assert status.get_attribute("role") == "status"
    box = status.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], box
    assert page.locator("input[name=marks-0-side][value=front]").is_checked()
    assert page.locator("select[name=marks-0-region]").input_value() == "left_arm"
    assert page.evaluate("document.activeElement.name") == "marks-0-description"
    page.keyboard.type("Four round bruises, fingertip size")
    assert page.locator("svg[data-body-map-side=front] .app-body-map__mark").count() == 1
    assert_accessible(page)

    # Radio groups: Tab to the group, arrows to choose.
    tab_to(page, "input[name=immediate_risk]")
    page.keyboard.press("ArrowDown")
    assert page.locator("input[name=immediate_risk][value=no]").is_checked()
    tab_to(page, "input[name=family_aware]")
    page.keyboard.press("ArrowDown")
    assert page.locator("input[name=family_aware][value=no]").is_checked()
    tab_to(page, "input[name=sharing_basis]")
    page.keyboard.press("ArrowDown")
    type_into(page, "#id_sharing_reason", "Telling the family may put her at risk.")
    tab_to(page, "button[value=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/submitted/")
    assert_accessible(page)

    recorded = page.locator("main").inner_text()
    assert "What you recorded" in recorded
    assert "Front, left arm: Four round bruises, fingertip size" in recorded
    concern = Concern.objects.get(status=Concern.Status.SUBMITTED)
    assert list(concern.body_map.values_list("side", "region")) == [("front", "left_arm")]
