"""Migration 0021: a database where each invitation added an involvement
upgrades to one involvement per agency, keeping every reason with its own date
and author, and the past involvements as they were."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from cases.models import Involvement
from tests.factories import World, open_case_from_concern, submit_concern

BEFORE = [("cases", "0020_list_keyset_indexes")]
AFTER = [("cases", "0022_one_involvement_per_agency")]


@pytest.fixture
def old_schema(transactional_db):
    world = World()
    world.case = open_case_from_concern(world, submit_concern(world))
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    yield world, executor.loader.project_state(BEFORE).apps
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_duplicate_involvements_merge_into_one_keeping_their_reasons(old_schema):
    world, apps = old_schema
    Old = apps.get_model("cases", "Involvement")
    start = timezone.now() - dt.timedelta(days=30)

    def old(agency, reason, source, days, ended=False):
        return Old.objects.create(
            case_id=world.case.pk,
            agency_id=agency.pk,
            level="involved",
            reason=reason,
            source_reference=source,
            started_at=start + dt.timedelta(days=days),
            started_by_id=world.social_worker.pk,
            ended_at=start + dt.timedelta(days=days + 1) if ended else None,
        )

    past = old(world.police, "referral", "REF-1", 0, ended=True)
    first = old(world.police, "meeting", "MTG-1", 1)
    old(world.police, "meeting", "MTG-2", 2)
    old(world.police, "added", "", 3)
    old(world.school, "meeting", "MTG-1", 1)

    MigrationExecutor(connection).migrate(AFTER)

    current = Involvement.objects.filter(case=world.case, ended_at__isnull=True)
    agencies = list(current.values_list("agency__slug", flat=True))
    assert sorted(agencies) == ["la-csc", "police", "school"]
    police = current.get(agency=world.police)
    assert police.pk == first.pk and police.started_at == first.started_at
    assert list(police.reasons.order_by("added_at").values_list("reason", "source_reference")) == [
        ("meeting", "MTG-1"),
        ("meeting", "MTG-2"),
        ("added", ""),
    ]
    assert [r.added_at for r in police.reasons.order_by("added_at")] == [
        start + dt.timedelta(days=d) for d in (1, 2, 3)
    ]
    assert all(r.added_by_id == world.social_worker.pk for r in police.reasons.all())
    school = current.get(agency=world.school)
    assert sorted(school.reasons.values_list("reason", flat=True)) == ["concern", "meeting"]
    # The past involvement stays a past involvement, its reason ended with it.
    ended = Involvement.objects.get(pk=past.pk)
    assert ended.ended_at is not None
    assert list(ended.reasons.values_list("reason", "ended_at")) == [("referral", ended.ended_at)]
