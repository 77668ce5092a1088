"""Records at the end of their life, built as the product builds them, then
moved back in time: the case closed decades ago, the decision years ago."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from cases.models import Case, Child, Concern, Plan
from retention import services
from tests.factories import World, open_case_from_concern, submit_concern


def years_ago(years: int, days: int = 0) -> dt.datetime:
    now = timezone.now()
    return now.replace(year=now.year - years) - dt.timedelta(days=days)


def close_case(case: Case, *, closed_at: dt.datetime) -> None:
    """Close a case as if long ago (the closure workflow is cases' to test)."""
    Plan.objects.filter(case=case, end_date__isnull=True).update(end_date=closed_at.date())
    Case.objects.filter(pk=case.pk).update(status=Case.Status.CLOSED, closed_at=closed_at)


def add_cp_plan(case: Case, start: dt.date) -> None:
    Plan.objects.create(
        case=case, kind=Plan.Kind.CHILD_PROTECTION, category="NEG", start_date=start
    )


@pytest.fixture(autouse=True)
def _own_audit_checkpoints(settings, tmp_path):
    """Each test's audit chain is anchored in its own checkpoint folder: a
    folder shared with earlier tests names positions this database reused."""
    settings.AUDIT_CHECKPOINT_DIR = str(tmp_path / "audit-checkpoints")


@pytest.fixture
def world(db):
    return World()


@pytest.fixture
def cp_child(world) -> Child:
    """A child whose child protection case closed 36 years ago (35 is the rule)."""
    concern = submit_concern(world, child_first_name="Maisie", child_last_name="Thornbury")
    case = open_case_from_concern(world, concern)
    closed = years_ago(36)
    add_cp_plan(case, (closed - dt.timedelta(days=400)).date())
    close_case(case, closed_at=closed)
    return case.child


def decided_nfa(world, *, first_name: str, last_name: str, years: int) -> Concern:
    """A concern about a new child, decided 'no further action' ``years`` ago."""
    from cases import services as case_services

    concern = submit_concern(world, child_first_name=first_name, child_last_name=last_name)
    child = case_services.child_create(
        acting_user=world.social_worker,
        lead_agency=world.la,
        first_name=first_name,
        last_name=last_name,
        date_of_birth=dt.date(2016, 5, 4),
    )
    case_services.concern_link_child(acting_user=world.social_worker, concern=concern, child=child)
    case_services.concern_record_decision(
        acting_user=world.social_worker, concern=concern, decision="nfa", reason="Advice given."
    )
    concern = case_services.concern_authorise_decision(acting_user=world.manager, concern=concern)
    Concern.objects.filter(pk=concern.pk).update(decided_at=years_ago(years))
    concern.refresh_from_db()
    return concern


@pytest.fixture
def nfa_concern(world) -> Concern:
    return decided_nfa(world, first_name="Ottilie", last_name="Brack", years=7)


@pytest.fixture
def refresh():
    return services.retention_refresh
