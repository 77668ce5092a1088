"""Search and a filtered list, keyboard only, axe on each page (issue 15).

A social worker types a child's name with a slip into the header's search
box, reaches the case from the result, then narrows the case list to closed
cases and takes the filter off again; at phone width the results still fit.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model

from cases import selectors
from tests.e2e.helpers import assert_accessible, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "e2e-demo-password"
WORKER = "social_worker@northshire-csc"


def press(page, locator, key: str = "Enter", *, navigates: bool = True) -> None:
    """Move the keyboard's focus to ``locator`` and press a key: no mouse."""
    locator.focus()
    if not navigates:
        page.keyboard.press(key)
        return
    with page.expect_navigation():
        page.keyboard.press(key)
    page.wait_for_load_state()


def misspelt(name: str) -> str:
    for i in range(len(name) - 1, 0, -1):
        if name[i] in "aeiou":
            return name[:i] + ("e" if name[i] != "e" else "a") + name[i + 1 :]
    return name + "e"


def test_search_and_filter_by_keyboard(live_server, page, settings, seed_demo):
    settings.DEMO_PASSWORD = PASSWORD
    seed_demo()
    worker = get_user_model().objects.get(username=WORKER)
    case = selectors.case_list_for(worker).filter(status="open", is_restricted=False).first()
    child = case.child
    base = live_server.url

    sign_in(page, base, WORKER, PASSWORD)
    page.goto(base + "/cases/")
    box = page.get_by_role("searchbox", name="Search for a child by name")
    press(page, box, "Control+A", navigates=False)
    # The surname misspelt (a vowel changed): it sounds the same, so the
    # matcher's phonetic keys still find the child.
    page.keyboard.type(f"{child.first_name} {misspelt(child.last_name)}")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert "/search/" in page.url
    assert child.full_name in page.get_by_test_id("search-hit").first.inner_text()
    assert_accessible(page)

    link = re.compile(
        rf"^Open case {re.escape(case.reference)}\s*for {re.escape(child.full_name)}$"
    )
    press(page, page.get_by_role("link", name=link))
    assert page.url.endswith(f"/cases/{case.pk}/")
    assert_accessible(page)

    # The case list, narrowed to closed cases without a mouse.
    page.goto(base + "/cases/")
    press(page, page.locator("summary", has_text="Filter and sort"), navigates=False)
    press(page, page.get_by_label("Status"), "C", navigates=False)  # typeahead: "Closed"
    press(page, page.get_by_role("button", name="Apply filters"))
    assert "status=closed" in page.url
    applied = page.get_by_test_id("applied-filters")
    assert "Status: Closed" in applied.inner_text()
    closed = [c.reference for c in selectors.case_list_for(worker).filter(status="closed")]
    shown = page.get_by_test_id("case-list").inner_text() if closed else ""
    assert all(ref in shown for ref in closed[:5])
    assert_accessible(page)

    press(page, applied.get_by_role("link", name=re.compile(r"^Status: Closed")))
    assert "status=" not in page.url
    assert page.get_by_test_id("applied-filters").count() == 0
    assert_accessible(page)

    # At phone width the results and the filters fit without sideways scrolling.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(base + f"/search/?q={child.last_name}")
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.goto(base + "/cases/?status=open")
    filters = page.get_by_test_id("list-filters").bounding_box()
    assert filters["x"] + filters["width"] <= 390
