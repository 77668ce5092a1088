"""What the oversight API (``oversight.api``) reads and answers: the
dashboard's figures, the cases behind each, and the conferences owed, with
the same fields the pages show. The views build plain dicts from the
selectors' results; these serializers only say their shape (and the schema's
nullability, truthfully)."""

from __future__ import annotations

from rest_framework import serializers

from oversight import selectors
from oversight.measures import MEASURES
from safeguard.core.api_fields import StrictCharField, StrictRegexField, StrictSlugField

MONTH_PATTERN = r"^[0-9]{4}-[0-9]{2}$"
WORKER_PATTERN = r"^(none|[0-9]+)$"


class DashboardAgencySerializer(serializers.Serializer):
    slug = StrictSlugField()
    name = StrictCharField()


class ObjectReferenceSerializer(serializers.Serializer):
    """An object's id and the reference people read."""

    id = serializers.UUIDField()
    reference = StrictCharField()


class CaseloadSerializer(serializers.Serializer):
    agency = StrictSlugField(help_text="The lead agency whose cases these are.")
    worker_id = serializers.IntegerField(
        help_text="The worker's id: ``worker`` in /api/v1/dashboard/cases/."
    )
    name = StrictCharField()
    open_cases = serializers.IntegerField(
        help_text="Open cases of the agency allocated to them that you may see."
    )
    teams = serializers.ListField(child=StrictCharField(), help_text="Their teams' names.")
    is_member = serializers.BooleanField(
        help_text="False for someone no longer a worker of the agency who still holds cases."
    )


class OpenCaseSerializer(serializers.Serializer):
    """An open case, as the dashboard's lists show it."""

    id = serializers.UUIDField()
    reference = StrictCharField()
    child_name = StrictCharField()
    agency = StrictSlugField(help_text="The lead agency.")
    opened_at = serializers.DateTimeField()
    days_open = serializers.IntegerField(help_text="Calendar days since the case opened.")


class UnallocatedSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Open cases allocated to nobody that you may see.")
    oldest = OpenCaseSerializer(
        many=True,
        help_text=f"The {selectors.UNALLOCATED_SHOWN} longest waiting, oldest first "
        "(all of them: /api/v1/dashboard/cases/?worker=none).",
    )


class MonthFigureSerializer(serializers.Serializer):
    month = StrictRegexField(MONTH_PATTERN, help_text="YYYY-MM")
    total = serializers.IntegerField(help_text="How many were done that month.")
    on_time = serializers.IntegerField()
    late = serializers.IntegerField()
    percent = serializers.IntegerField(
        allow_null=True, help_text="Whole per cent on time; null when none was done that month."
    )


class TimescaleSerializer(serializers.Serializer):
    code = serializers.ChoiceField(
        choices=list(MEASURES),
        help_text="The figure's code: /api/v1/dashboard/timescales/{code}/ lists its cases.",
    )
    label = StrictCharField()
    counted = StrictCharField(help_text="What is counted, in the plural.")
    source = StrictCharField(help_text="Where the timescale comes from.")
    total = serializers.IntegerField(help_text="Over the twelve months.")
    on_time = serializers.IntegerField()
    late = serializers.IntegerField()
    percent = serializers.IntegerField(allow_null=True, help_text="Null when none was done.")
    months = MonthFigureSerializer(many=True, help_text="The twelve months, oldest first.")


class DashboardSerializer(serializers.Serializer):
    agencies = DashboardAgencySerializer(many=True, help_text="The lead agencies you manage.")
    first_month = StrictRegexField(MONTH_PATTERN, help_text="YYYY-MM")
    last_month = StrictRegexField(MONTH_PATTERN, help_text="YYYY-MM, this month.")
    caseloads = CaseloadSerializer(many=True)
    unallocated = UnallocatedSerializer()
    timescales = TimescaleSerializer(many=True)
    figures_as_at = serializers.DateTimeField(
        allow_null=True,
        help_text="When the worker last counted the timescale figures (work on cases "
        "restricted since is taken out at once; new work shows at the next count, every few "
        "minutes); null when they had never been counted and were counted for this answer.",
    )


# Drill-downs -------------------------------------------------------------------------


class WorkloadQuerySerializer(serializers.Serializer):
    worker = StrictRegexField(
        WORKER_PATTERN,
        max_length=20,
        help_text="A caseload's ``worker_id``, or ``none`` for the cases allocated to nobody.",
    )
    agency = StrictSlugField(
        required=False,
        help_text="Only this lead agency's cases (one you manage); all of yours without it.",
    )


class WorkloadCaseSerializer(OpenCaseSerializer):
    allocated_worker_id = serializers.IntegerField(
        allow_null=True, help_text="Null for a case allocated to nobody."
    )


class FigureQuerySerializer(serializers.Serializer):
    month = StrictRegexField(
        MONTH_PATTERN, help_text="YYYY-MM: one of the dashboard's twelve months."
    )
    outcome = serializers.ChoiceField(
        choices=list(selectors.OUTCOMES),
        required=False,
        help_text="Only those on time, or only those late; all of them without it.",
    )


class FigureRowSerializer(serializers.Serializer):
    reference = StrictCharField(
        help_text="The case's reference; a front-door decision that opened no case: the concern's."
    )
    case = ObjectReferenceSerializer(allow_null=True, help_text="Null: no case (yet).")
    concern = ObjectReferenceSerializer(
        allow_null=True, help_text="The concern decided, for front-door decisions; else null."
    )
    child_name = StrictCharField()
    due = serializers.DateField()
    done = serializers.DateField()
    on_time = serializers.BooleanField()
    late_by_working_days = serializers.IntegerField(help_text="0 when on time.")


# Conferences owed ----------------------------------------------------------------------


class ArrangedSerializer(serializers.Serializer):
    meeting_id = serializers.UUIDField()
    reference = StrictCharField()
    scheduled_at = serializers.DateTimeField()


class OwedRowSerializer(serializers.Serializer):
    case = ObjectReferenceSerializer()
    child_name = StrictCharField()
    due = serializers.DateField(help_text="By the timescale's own clock.")
    working_days_left = serializers.IntegerField(help_text="Negative when overdue.")
    overdue = serializers.BooleanField()
    arranged = ArrangedSerializer(
        allow_null=True, help_text="The conference arranged for it, if any; null: not arranged."
    )


class IcpcOwedSerializer(OwedRowSerializer):
    clock_runs_from = serializers.DateField(
        help_text="The strategy discussion (or the enquiry's start without one)."
    )


class OwedSummarySerializer(serializers.Serializer):
    owed = serializers.IntegerField(help_text="How many are owed, in all.")
    late = serializers.IntegerField(help_text="How many of them are past their due date.")


class IcpcsOwedSerializer(OwedSummarySerializer):
    rows = IcpcOwedSerializer(
        many=True, help_text=f"The {selectors.OWED_SHOWN} due soonest, soonest first."
    )


class ReviewsOwedSerializer(OwedSummarySerializer):
    rows = OwedRowSerializer(
        many=True, help_text=f"The {selectors.OWED_SHOWN} due soonest, soonest first."
    )


class ConferencesDueSerializer(serializers.Serializer):
    today = serializers.DateField(help_text="The day the clocks were read.")
    shown = serializers.IntegerField(help_text="At most this many rows of each list.")
    icpcs = IcpcsOwedSerializer(help_text="Initial child protection conferences owed.")
    reviews = ReviewsOwedSerializer(help_text="Review child protection conferences owed.")
