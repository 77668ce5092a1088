"""The access rule's fixed statements are compiled once per process and bound
to each call (safeguard/core/compiled.py): what they answer must follow the
person and the clock of that call, never the call that compiled them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models.sql.compiler import SQLCompiler
from django.utils import timezone

from cases import selectors
from cases.models import BreakGlass
from cases.services.restrictions import case_break_glass
from tests.cases.test_restricted import GLASS, world  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def compiles(monkeypatch):
    """Every ORM compile of a statement or subquery, by the model it reads."""
    seen: list[str] = []
    original = SQLCompiler.as_sql

    def counting(self, *args, **kwargs):
        seen.append(self.query.model._meta.label if self.query.model else "")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "as_sql", counting)
    return seen


GRANT_STATEMENTS = {
    "cases.CaseGroupObjectPermission",
    "cases.CaseUserObjectPermission",
    "cases.BreakGlass",
    "cases.Involvement",
    "agencies.Membership",
}


@pytest.mark.postgres
def test_each_call_answers_for_its_own_person_and_time(world, compiles):  # noqa: F811
    reference = world.case.reference

    def ids(user):
        compiles.clear()
        found = selectors.visible_case_ids_if_few(user)
        # The grant statement is compiled once, not again for this call.
        assert not GRANT_STATEMENTS & set(compiles), compiles
        return found

    def noticed(user):
        compiles.clear()
        found = [case.reference for case in selectors.restricted_cases_noticed_by(user)]
        # Only what is built on the compiled ids: the case and its lead agency.
        assert not GRANT_STATEMENTS & set(compiles), compiles
        compiles.clear()
        # The case list's notice: the same cases, from a statement compiled once.
        assert [case.reference for case in selectors.restricted_notice_for(user)] == found
        assert not compiles, compiles
        return found

    # The first calls compile; the person here sees the case by name.
    assert world.case.pk in selectors.visible_case_ids_if_few(world.named_worker)
    assert [c.pk for c in selectors.restricted_cases_noticed_by(world.named_worker)] == []
    assert selectors.restricted_notice_for(world.named_worker) == []

    # Another person, the same statements: the lead's social worker is not named,
    # so the case is not theirs, and they are told it exists.
    assert world.case.pk not in ids(world.social_worker)
    assert noticed(world.social_worker) == [reference]
    # A manager breaks glass: theirs for four hours, then not.
    case_break_glass(acting_user=world.manager2, case=world.case, reason=GLASS)
    assert world.case.pk in ids(world.manager2)
    assert noticed(world.manager2) == []
    BreakGlass.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert world.case.pk not in ids(world.manager2)
    assert noticed(world.manager2) == [reference]


@pytest.mark.postgres
def test_lead_access_follows_the_person_and_the_clock_of_each_call(world, compiles):  # noqa: F811
    # The first call compiles; the named worker sees the case as the lead does.
    assert selectors.has_lead_access(world.named_worker, world.case)

    def lead(user):
        compiles.clear()
        found = selectors.has_lead_access(user, world.case)
        assert not compiles, compiles  # bound, not built again
        return found

    assert lead(world.named_worker)
    # The lead's social worker, not named on the restricted case: not theirs.
    assert not lead(world.social_worker)
    # A manager breaks glass: the lead's view for four hours, then not.
    assert not lead(world.manager2)
    case_break_glass(acting_user=world.manager2, case=world.case, reason=GLASS)
    assert lead(world.manager2)
    BreakGlass.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert not lead(world.manager2)
