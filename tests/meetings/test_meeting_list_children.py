"""The meetings page names the children each meeting is about, as a person
reading it checks: every child of the meeting, by surname, in its row, on
the page as most people see it and with a filter in force (two ways of
reading the rows; the names are read apart from the meetings)."""

import html
import re

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Count

from meetings.models import Meeting
from meetings.selectors import meetings_for

pytestmark = pytest.mark.django_db(transaction=True)

PEOPLE = ["social_worker@northshire-csc", "practitioner@northshire-police"]


@pytest.fixture
def demo(settings, seed_demo):
    settings.DEMO_PASSWORD = seed_demo.password
    seed_demo()


def children_cell(page: str, reference: str) -> list[str] | None:
    """The names in the Children cell of the row for ``reference``."""
    row = re.search(
        rf'<span class="govuk-hint govuk-!-font-size-16">{re.escape(reference)}</span></td>\s*'
        r'<td class="govuk-table__cell" data-label="Children">(.*?)</td>',
        page,
    )
    return None if row is None else [html.unescape(n) for n in row.group(1).split("<br>") if n]


def expected_names(meeting: Meeting) -> list[str]:
    children = sorted(
        (s.case.child for s in meeting.subjects.select_related("case__child")),
        key=lambda c: (c.last_name, c.first_name, str(c.pk)),
    )
    return [c.full_name for c in children]


def listing(client, url: str, reference: str) -> list[str] | None:
    """Follows the held list's Next links until the meeting's row is found."""
    path = url
    for _ in range(200):
        page = client.get(path).content.decode()
        found = children_cell(page, reference)
        if found is not None:
            return found
        nxt = re.search(r'<a [^>]*href="([^"]+)"[^>]*rel="next"', page)
        if nxt is None:
            return None
        path = url.split("?")[0] + html.unescape(nxt.group(1))
    raise AssertionError("the Next links go round in circles")


@pytest.mark.parametrize("username", PEOPLE)
def test_each_meeting_row_names_all_its_children_by_surname(client, demo, username):
    person = get_user_model().objects.get(username=username)
    client.force_login(person)
    seen = meetings_for(person).annotate(n=Count("subjects")).order_by("-n", "reference")
    assert seen.exists(), "the demo gives this person meetings"
    # A meeting of several children (a household) and one of a single child.
    chosen = [seen.first(), seen.filter(n=1).first()]
    assert chosen[0].n >= 2, "the demo has a meeting about siblings that this person sees"
    for meeting in chosen:
        names = expected_names(meeting)
        assert listing(client, "/meetings/", meeting.reference) == names, meeting.reference
        filtered = f"/meetings/?kind={meeting.kind}"
        assert listing(client, filtered, meeting.reference) == names, meeting.reference
