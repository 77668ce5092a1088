"""Text longer than the server accepts is stopped in the browser, with a
message, before anything typed can be lost to an error page. Most text fields
carry their own maximum length; the address does not, so a pasted document
there is what would otherwise reach the server's limit."""

import pytest

from tests.e2e.helpers import assert_accessible, sign_in
from tests.factories import PASSWORD, World

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_oversize_account_is_stopped_before_sending_and_kept(live_server, page, settings):
    world = World()
    sign_in(page, live_server.url, world.teacher.username, PASSWORD)
    page.goto(f"{live_server.url}/concerns/new/")
    page.locator("[name=child_first_name]").fill("Ada")
    address = "1 Long Road\n" + "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 100)
    page.locator("[name=child_address]").fill(address)
    page.get_by_role("button", name="Submit concern").click()
    alert = page.locator("[data-post-size-error]")
    alert.wait_for()
    assert "longer than this service accepts (2048 KB)" in alert.inner_text()
    assert "/concerns/new/" in page.url
    # Nothing typed was lost.
    assert page.locator("[name=child_address]").input_value() == address
    assert page.locator("[name=child_first_name]").input_value() == "Ada"
    assert_accessible(page)
