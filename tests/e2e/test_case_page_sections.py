"""Issue 14 item 7: the case page has sections a reader can jump between.

A contents list under the child's name links to each section's heading; the
skip link reaches the page's content; following a contents link moves the
reader there and the keyboard on from there; on a 390x844 phone nothing
scrolls sideways and wide tables (here and on the case, front door and
meeting lists) reflow into one block per row. axe checks
the page at both sizes."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from cases.models import Case
from tests.e2e.helpers import assert_accessible, sign_in
from tests.e2e.test_conference import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Where the keyboard goes next is after ``heading`` in the document.
FOCUS_AFTER = """heading => {
    const focused = document.activeElement;
    return focused !== document.body &&
        !!(heading.compareDocumentPosition(focused) & Node.DOCUMENT_POSITION_FOLLOWING);
}"""


def _jump(page, name: str, anchor: str) -> None:
    """Follow the contents link with the keyboard; land on the heading."""
    link = page.get_by_test_id("case-contents").get_by_role("link", name=name, exact=True)
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**#{anchor}")
    heading = page.locator(f"#{anchor}")
    expect(heading).to_be_in_viewport()
    # The next Tab continues from the section, not from the contents list.
    page.keyboard.press("Tab")
    assert heading.evaluate(FOCUS_AFTER), f"Tab after #{anchor} went back up the page"


def test_a_reader_jumps_between_the_case_page_sections_on_a_desktop_and_a_phone(
    live_server, browser, page, settings, seed_demo
):
    settings.DEMO_PASSWORD = PASSWORD
    seed_demo()
    base = live_server.url
    case = Case.objects.get(reference="CAS-2026-000001")
    url = f"{base}/cases/{case.pk}/"

    sign_in(page, base, "social_worker@northshire-csc", PASSWORD)
    page.goto(url)
    contents = page.get_by_test_id("case-contents")
    expect(contents.get_by_role("heading", name="Contents")).to_be_visible()
    links = contents.get_by_role("link")
    # Every contents link leads to a heading on the page, in the page's order.
    anchors = [href.lstrip("#") for href in (a.get_attribute("href") for a in links.all())]
    assert {"child", "meetings", "statutory", "actions", "chronology", "agencies"} <= set(anchors)
    tops = [page.locator(f"h2#{a}").bounding_box()["y"] for a in anchors[:10]]
    assert tops == sorted(tops), "the left column's sections are listed in page order"
    assert_accessible(page)

    # The skip link is the first thing the keyboard reaches and leads into the page.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("!!document.activeElement.closest('#main-content')")

    _jump(page, "Chronology", "chronology")
    _jump(page, "Agencies involved", "agencies")

    # A phone: one column, nothing wider than the screen, tables as blocks.
    phone = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=3,
        is_mobile=True,
        has_touch=True,
        locale="en-GB",
    )
    try:
        mobile = phone.new_page()
        sign_in(mobile, base, "social_worker@northshire-csc", PASSWORD)
        mobile.goto(url)
        expect(mobile.get_by_test_id("case-contents")).to_be_visible()
        assert mobile.evaluate("document.documentElement.scrollWidth") <= 390
        assert_accessible(mobile)
        _jump(mobile, "Actions", "actions")
        table = mobile.get_by_test_id("case-actions")
        expect(table).to_be_visible()
        cell = table.locator("tbody td").first
        assert cell.evaluate("td => getComputedStyle(td).display") == "block"
        assert table.evaluate("t => t.getBoundingClientRect().width") <= 390
        # Each cell says which column it was.
        assert cell.evaluate("td => getComputedStyle(td, '::before').content") == '"Action"'
        assert_accessible(mobile)

        # The lists a duty worker opens on the way reflow the same way.
        for path, testid in (
            ("/cases/", "case-list"),
            ("/front-door/", "front-door-queue"),
            ("/meetings/", "meetings"),
        ):
            mobile.goto(base + path)
            rows = mobile.get_by_test_id(testid).locator("tbody tr")
            expect(rows.first).to_be_visible()
            assert rows.first.evaluate("tr => getComputedStyle(tr).display") == "block", path
            assert mobile.evaluate("document.documentElement.scrollWidth") <= 390, path
            assert_accessible(mobile)
    finally:
        phone.close()
