"""What the API's case list shows of each case beside its own columns: the
active involvements (with their agencies and current reasons), the named
professionals, and, at the lead agency's level only, the assessments.

On PostgreSQL they are columns of the page's own statement (arrays of JSON
objects, ``safeguard.core.nested``), so a page of cases is one statement, not
five; elsewhere (the SQLite demo) they are prefetched, one statement each.
Either way each case ends with the same attributes: ``active_involvements``
(each with ``current_reasons``), ``active_professionals`` and
``lead_assessments`` (empty where the person is not at the lead's level).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection
from django.db.models import Case as Choose  # SQL CASE, not a safeguarding case
from django.db.models import OuterRef, Prefetch, QuerySet, Value, When, prefetch_related_objects

from cases.models import Assessment, Case, CaseProfessional, Involvement, InvolvementReason
from cases.selectors.cases import REASON_ORDER
from cases.selectors.children import (
    ASSESSMENT_ORDER,
    INVOLVEMENT_ORDER,
    PROFESSIONAL_ORDER,
    involvements_prefetched,
)
from safeguard.core.nested import Nested

# Every field the API's serializers read of each (a field not read here would
# be fetched again, one statement per row).
AGENCY = ("id", "slug", "name", "kind")
_REASONS = Nested(
    InvolvementReason.objects.filter(involvement=OuterRef("pk"), ended_at__isnull=True).order_by(
        *REASON_ORDER
    ),
    fields=("id", "reason", "source_reference", "added_at"),
)
CARRIED = {
    "active_involvements": Nested(
        Involvement.objects.filter(case=OuterRef("pk"), ended_at__isnull=True).order_by(
            *INVOLVEMENT_ORDER
        ),
        fields=("id", "case_id", "agency_id", "level", "reason", "started_at"),
        related={"agency": AGENCY},
        lists={"current_reasons": _REASONS},
    ),
    "active_professionals": Nested(
        CaseProfessional.objects.filter(case=OuterRef("pk"), ended_at__isnull=True).order_by(
            *PROFESSIONAL_ORDER
        ),
        fields=(
            "id",
            "case_id",
            "name",
            "role",
            "agency_id",
            "phone",
            "email",
            "user_id",
            "added_at",
            "ended_at",
        ),
        related={"agency": AGENCY, "user": ("id", "username")},
    ),
    "lead_assessments": Nested(
        Assessment.objects.filter(case=OuterRef("pk")).order_by(*ASSESSMENT_ORDER),
        fields=(
            "id",
            "case_id",
            "started_on",
            "due_on",
            "completed_on",
            "authorised_on",
            "internal_review_on",
            "factors",
        ),
    ),
}


def _column(name: str) -> str:
    return f"carried_{name}"


def with_carried(cases: QuerySet[Case]) -> QuerySet[Case]:
    """``cases`` (annotated with ``lead_access``) carrying the columns
    ``read_carried`` turns into lists, on PostgreSQL; unchanged elsewhere."""
    if connection.vendor != "postgresql":
        return cases
    columns = {_column(name): nested.expression() for name, nested in CARRIED.items()}
    # Assessments are the lead agency's level only: not read for other cases.
    lead_only = _column("lead_assessments")
    columns[lead_only] = Choose(
        When(lead_access=True, then=columns[lead_only]),
        default=Value(None),
        output_field=columns[lead_only].output_field,
    )
    return cases.annotate(**columns)


def read_carried(cases: Sequence[Case]) -> None:
    """Put on each case of a page what the API shows beside its columns: from
    the columns ``with_carried`` added, or else read for the page."""
    if connection.vendor == "postgresql":
        for case in cases:
            for name, nested in CARRIED.items():
                setattr(case, name, nested.instances(getattr(case, _column(name))))
        return
    prefetch_related_objects(list(cases), *involvements_prefetched(assessments=False))
    lead = [c for c in cases if getattr(c, "lead_access", False)]
    prefetch_related_objects(
        lead, Prefetch("assessments", Assessment.objects.order_by(*ASSESSMENT_ORDER))
    )
    for case in cases:
        case.lead_assessments = list(case.assessments.all()) if case in lead else []
