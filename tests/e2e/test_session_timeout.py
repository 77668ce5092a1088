"""Before an idle session ends the person is warned and can stay signed in."""

import pytest

from tests.e2e.helpers import assert_accessible, sign_in
from tests.factories import PASSWORD, World

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_idle_warning_and_staying_signed_in(live_server, page, settings):
    settings.SESSION_COOKIE_AGE = 124  # so the two-minute warning comes after 4 seconds
    world = World()
    sign_in(page, live_server.url, world.teacher.username, PASSWORD)
    dialog = page.get_by_role("dialog", name="You are about to be signed out")
    dialog.wait_for(state="visible", timeout=15_000)
    assert_accessible(page)
    page.get_by_role("button", name="Stay signed in").click()
    dialog.wait_for(state="hidden")
    # Still signed in: the page works and no redirect to the sign-in page happened.
    page.goto(live_server.url + "/concerns/")
    assert "/accounts/login/" not in page.url
