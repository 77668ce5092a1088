"""Two refreshes of the timescale figures at once, on two real connections
(PostgreSQL's row locks; SQLite locks the file): both finish, and one set of
figures is left. Apart from tests/oversight/test_summary.py because it commits:
that module's tests share one year of work inside a transaction."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from oversight import summary
from oversight.models import ComplianceFigure
from tests.meetings.meeting_helpers import travel
from tests.oversight.oversight_world import NOW, build


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_refreshes_at_once_both_finish_and_leave_one_set_of_figures():
    world = build()
    with travel(NOW):
        summary.refresh_agency(world.la)
    expected = sorted(ComplianceFigure.objects.values_list("measure", "month", "total", "on_time"))
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            with travel(NOW):
                summary.refresh_agency(world.la)
        except BaseException as error:  # reported below, not lost in the thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert (
        sorted(ComplianceFigure.objects.values_list("measure", "month", "total", "on_time"))
        == expected
    )
