"""Two refreshes of the timescale figures at once, on two real connections
(PostgreSQL's row locks; SQLite locks the file): both finish, and one set of
figures is left. Apart from tests/oversight/test_summary.py because it commits:
that module's tests share one year of work inside a transaction."""

from __future__ import annotations

import pytest

from oversight import summary
from oversight.models import ComplianceFigure
from tests.concurrency.conftest import at_once
from tests.meetings.meeting_helpers import travel
from tests.oversight.oversight_world import NOW, build


def figures() -> list[tuple]:
    return sorted(ComplianceFigure.objects.values_list("measure", "month", "total", "on_time"))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_refreshes_at_once_both_finish_and_leave_one_set_of_figures():
    world = build()
    with travel(NOW):
        summary.refresh_agency(world.la)
    expected = figures()

    def refresh() -> None:
        with travel(NOW):
            summary.refresh_agency(world.la)

    # Not in a transaction of the test's: each refresh opens its own.
    race = at_once([refresh, refresh], atomic=False)
    assert race.errors == []
    assert figures() == expected
