"""What a person does in the browser, and the accessibility check on each page."""

from __future__ import annotations

from pathlib import Path

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
_axe_source: list[str] = []  # read once per test process, not on every check


def sign_in(page, base_url: str, username: str, password: str) -> None:
    page.goto(base_url + "/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url, f"{username} could not sign in"


def follow(page, locator) -> None:
    """Click a link or button that loads a new page, and wait until it has.

    A bare ``click()`` returns once the navigation has started, and reading the
    page in between sees an empty document (CI saw ``page.content() == ''``).
    """
    with page.expect_navigation():
        locator.click()
    page.wait_for_load_state()


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/accounts/login/")


def assert_accessible(page) -> None:
    """axe-core, WCAG 2.2 A and AA rules, on the page as it is now, once it
    has loaded: checked while its stylesheet was still on the way, a page's
    links are bare text and fail the target-size rule (CI saw exactly that)."""
    page.wait_for_load_state("load")
    # Evaluated through the DevTools protocol, which the page's CSP does not govern.
    if not _axe_source:
        _axe_source.append(AXE.read_text() + "\n;true")
    page.evaluate(_axe_source[0])
    # Only violations are read, so axe is asked for no others: collecting every
    # passing node's details was most of each check's time.
    result = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {
                type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']
            },
            resultTypes: ['violations']
        })"""
    )
    violations = [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(" ".join(n["target"]) for n in v["nodes"][:5])
        for v in result["violations"]
    ]
    assert not violations, f"axe found problems on {page.url}:\n" + "\n".join(violations)
