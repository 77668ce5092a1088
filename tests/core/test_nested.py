"""Rows read as JSON inside their outer row (safeguard/core/nested.py) come
back as the model instances a queryset gives, whatever order their fields
are named in, and reading what was named needs no further statement."""

from __future__ import annotations

import pytest
from django.db.models import OuterRef

from cases.models import Case, Involvement
from safeguard.core.nested import Nested
from tests.factories import World, open_case_from_concern, submit_concern

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def described(involvement: Involvement) -> tuple:
    return (
        involvement.pk,
        involvement.case_id,
        involvement.agency_id,
        involvement.agency.slug,
        involvement.agency.name,
        involvement.level,
        involvement.reason,
        involvement.started_at,
    )


def test_instances_match_the_rows_whatever_order_their_fields_are_named_in(
    django_assert_num_queries,
):
    world = World()
    case = open_case_from_concern(world, submit_concern(world))
    order = ("started_at", "id")
    nested = Nested(
        Involvement.objects.filter(case=OuterRef("pk")).order_by(*order),
        # Not the model's order of fields (id, case, agency, level, reason, ...).
        fields=("started_at", "reason", "level", "id", "agency_id", "case_id"),
        related={"agency": ("name", "slug", "id")},
    )
    row = Case.objects.annotate(carried=nested.expression()).get(pk=case.pk)
    want = [
        described(i)
        for i in Involvement.objects.filter(case=case).select_related("agency").order_by(*order)
    ]
    assert len(want) >= 2  # the lead agency's and the school's
    with django_assert_num_queries(0):
        got = [described(i) for i in nested.instances(row.carried)]
    assert got == want
