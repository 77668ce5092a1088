"""A teacher marks an injury on the body map with the keyboard alone."""

import pytest

from tests.e2e.helpers import assert_accessible, sign_in
from tests.factories import PASSWORD, World, submit_concern

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_body_map_by_keyboard(live_server, page):
    world = World()
    concern = submit_concern(world)
    sign_in(page, live_server.url, world.teacher.username, PASSWORD)
    page.goto(f"{live_server.url}/concerns/{concern.pk}/")
    assert_accessible(page)
    front_left_arm = page.locator('svg[data-body-map-side="front"] [data-region="left_arm"]')
    front_left_arm.focus()
    page.keyboard.press("Enter")
    assert page.locator("input[name=side][value=front]").is_checked()
    assert page.locator("select[name=region]").input_value() == "left_arm"
    page.keyboard.type("Four round bruises, fingertip size")  # focus moved to the description
    page.get_by_role("button", name="Add mark").click()
    marks = page.get_by_test_id("body-map-marks").inner_text()
    assert "Front, left arm: Four round bruises, fingertip size" in marks
    assert page.locator(".app-body-map__mark").count() == 1
    assert_accessible(page)
