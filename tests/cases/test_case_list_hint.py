"""A case list page found to be of many cases says so in its cursors, and the
pages they lead to walk the list without asking the grants again
(cases/selectors/case_list.py, ``MANY``). The hint only ever changes how a page
is read: what it holds still follows the person's access at that moment."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import selectors
from cases.models import Involvement
from cases.selectors import case_list, many
from cases.selectors import cases as case_selectors
from cases.services.case import involvement_end
from safeguard.core import keyset
from tests.cases.test_restricted import world  # noqa: F401  (the fixture)
from tests.factories import open_case_from_concern, submit_concern

pytestmark = pytest.mark.django_db


@pytest.fixture
def paged(world, monkeypatch):  # noqa: F811
    """A page a case; the teacher's school involved in three, which is 'many'."""
    monkeypatch.setattr(keyset, "PER_PAGE", 1)
    monkeypatch.setattr(case_selectors, "FEW", 1)
    for _ in range(3):
        open_case_from_concern(world, submit_concern(world))
    assert len(list(selectors.case_list_for(world.teacher))) >= 3
    return world


def _statements(user, cursor) -> tuple[list[str], int]:
    with CaptureQueriesContext(connection) as queries:
        page, _ = selectors.case_list_page_for(user, cursor)
        references = [c.reference for c in page]
    return references, len(queries.captured_queries)


def test_the_pages_after_one_of_many_do_not_ask_the_grants_again(paged):
    user = paged.teacher
    first, _ = selectors.case_list_page_for(user, None)
    assert keyset.hint_of(first.next_cursor) == case_list.MANY
    # The same place in the list, from a cursor that carries no hint.
    unhinted = keyset._encode(
        "next", [getattr(first.object_list[0], f) for f in ("updated_at", "id")]
    )
    hinted_rows, hinted = _statements(user, first.next_cursor)
    # Nor, for the plain cursor, does this process remember them as many.
    many.forget_many()
    plain_rows, plain = _statements(user, unhinted)
    assert hinted_rows == plain_rows
    assert hinted == plain - 1
    # And every page after it, to the end: the whole list once, in order.
    seen, cursor = [c.reference for c in first], first.next_cursor
    while cursor:
        page, notice = selectors.case_list_page_for(user, cursor)
        assert notice == []
        seen += [c.reference for c in page]
        cursor = page.next_cursor
        if cursor:
            assert keyset.hint_of(cursor) == case_list.MANY
    assert seen == [c.reference for c in selectors.case_list_for(user)]


def test_a_case_the_person_stops_seeing_leaves_the_hinted_pages(paged):
    user = paged.teacher
    first, _ = selectors.case_list_page_for(user, None)
    everything = [c.reference for c in selectors.case_list_for(user)]
    # Between two pages the school's involvement in the next case ends.
    leaving = selectors.case_list_for(user)[1]
    involvement = Involvement.objects.get(case=leaving, agency=paged.school, ended_at__isnull=True)
    involvement_end(acting_user=paged.manager, involvement=involvement, reason="Left the school")
    second, _ = selectors.case_list_page_for(user, first.next_cursor)
    assert leaving.reference not in [c.reference for c in second]
    assert [c.reference for c in second] == [everything[2]]


def test_a_person_whose_cases_became_few_still_gets_every_one(paged, monkeypatch):
    """The hint says 'many' but the grants now say few: the walk still finds
    exactly the cases they see (it is only slower)."""
    user = paged.teacher
    first, _ = selectors.case_list_page_for(user, None)
    monkeypatch.setattr(case_selectors, "FEW", 5000)
    seen, cursor = [c.reference for c in first], first.next_cursor
    while cursor:
        page, _ = selectors.case_list_page_for(user, cursor)
        seen += [c.reference for c in page]
        cursor = page.next_cursor
    assert seen == [c.reference for c in selectors.case_list_for(user)]


def test_a_cursor_without_the_hint_still_works_and_a_forged_one_is_the_first_page(paged):
    user = paged.teacher
    first, _ = selectors.case_list_page_for(user, None)
    assert keyset.hint_of(None) is None and keyset.hint_of("nonsense") is None
    tampered = first.next_cursor[:-4] + (
        "AAAA" if not first.next_cursor.endswith("AAAA") else "BBBB"
    )
    assert keyset.hint_of(tampered) is None
    page, notice = selectors.case_list_page_for(user, tampered)
    assert [c.reference for c in page] == [c.reference for c in first]


def test_a_first_page_remembers_many_and_still_follows_access(paged, monkeypatch):
    """A person this process found to see many has their next first pages
    walked without counting their grants again (one statement fewer); what the
    page holds still follows their access at that moment, and the grants are
    asked afresh once the memory is old."""
    user = paged.teacher
    many.forget_many()
    counted_rows, counted = _statements(user, None)
    remembered_rows, remembered = _statements(user, None)
    assert remembered_rows == counted_rows
    if connection.vendor == "postgresql":
        # The probe had shared the notice's statement, now asked on its own.
        assert remembered == counted, "as many statements"
        # The probe is not among them: no statement reads the grant tables' ids.
        with CaptureQueriesContext(connection) as queries:
            selectors.case_list_page_for(user, None)
        assert not any("WITH granted AS" in q["sql"] for q in queries.captured_queries)
    else:  # the probe was a statement of its own (the SQLite demo)
        assert remembered == counted - 1

    # The school's involvement in the first case ends: it leaves the first page.
    leaving = selectors.case_list_for(user)[0]
    involvement = Involvement.objects.get(case=leaving, agency=paged.school, ended_at__isnull=True)
    involvement_end(acting_user=paged.manager, involvement=involvement, reason="Left the school")
    page, _ = selectors.case_list_page_for(user, None)
    assert leaving.reference not in [c.reference for c in page]
    assert [c.reference for c in page] == [
        c.reference for c in selectors.case_list_for(user)[: len(page.object_list)]
    ]

    # Once the memory is older than it may be, the grants are counted again.
    monkeypatch.setattr(many, "MANY_REMEMBERED_SECONDS", 0.0)
    with CaptureQueriesContext(connection) as queries:
        selectors.case_list_page_for(user, None)
    if connection.vendor == "postgresql":
        assert any("WITH granted AS" in q["sql"] for q in queries.captured_queries)
    else:
        assert len(queries.captured_queries) == counted
