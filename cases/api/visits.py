"""The API for work with the child: statutory visits on a case, and changing a
plan's review date or frequencies. Over the same services and selectors as the
pages: the lead agency's workers only; anyone else gets a 404."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from cases import selectors
from cases.api.common import INVALID, NOT_FOUND, _as_drf_error
from cases.models import Plan, StatutoryVisit
from cases.selectors.visits import visits_for
from cases.services.visits import plan_schedule_change, visit_record, visitors_for
from safeguard.core.api_dates import BoundedDateField
from safeguard.core.api_fields import ChoiceDisplayField, StrictCharField, StrictModelSerializer
from safeguard.core.dates import DateKind


class VisitSerializer(StrictModelSerializer):
    visited_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    visited_at_time = serializers.TimeField(
        allow_null=True, help_text="Null when the time of the visit is not known."
    )
    seen_display = ChoiceDisplayField(source="get_seen_display", read_only=True)

    class Meta:
        model = StatutoryVisit
        fields = [
            "id",
            "visited_on",
            "visited_at_time",
            "seen",
            "seen_display",
            "not_seen_reason",
            "visited_by",
            "note",
            "recorded_at",
        ]


class VisitCreateSerializer(serializers.Serializer):
    visited_on = BoundedDateField(kind=DateKind.EVENT, name="The date of the visit")
    visited_at_time = serializers.TimeField(
        required=False, allow_null=True, help_text="Only if known; leave out otherwise."
    )
    seen = serializers.ChoiceField(choices=StatutoryVisit.Seen.choices)
    not_seen_reason = serializers.ChoiceField(
        choices=StatutoryVisit.NotSeenReason.choices,
        required=False,
        allow_blank=True,
        help_text="Required when the child was not seen.",
    )
    visited_by = StrictCharField(
        max_length=150, help_text="Username of the lead agency's worker who visited."
    )
    note = StrictCharField(max_length=20000, required=False, allow_blank=True)


class PlanClockSerializer(StrictModelSerializer):
    class Meta:
        model = Plan
        fields = [
            "id",
            "kind",
            "category",
            "start_date",
            "end_date",
            "next_review_on",
            "visit_interval_working_days",
            "core_group_interval_weeks",
            "version",
        ]


class PlanScheduleSerializer(serializers.Serializer):
    reason = StrictCharField(max_length=5000)
    next_review_on = BoundedDateField(
        kind=DateKind.DUE, name="The review date", required=False, help_text="Child in need plans."
    )
    visit_interval_working_days = serializers.IntegerField(
        required=False, min_value=1, max_value=30, help_text="Child protection plans."
    )
    core_group_interval_weeks = serializers.IntegerField(
        required=False, min_value=1, max_value=26, help_text="Child protection plans."
    )


def _lead_case(request: Request, case_pk):
    case = selectors.get_case_for(request.user, case_pk, audit=False)
    if not selectors.is_lead_worker(request.user, case):
        raise Http404
    return case


class CaseVisitViewSet(viewsets.ViewSet):
    """Statutory visits on a case (``cases/{case_id}/visits/``)."""

    @extend_schema(
        responses={200: VisitSerializer(many=True), 404: NOT_FOUND},
        description="The visits to the child, newest first: the lead agency's workers only.",
    )
    def list(self, request: Request, case_pk: str | None = None) -> Response:
        case = _lead_case(request, case_pk)
        selectors.case_read_record(request.user, case)
        return Response(VisitSerializer(visits_for(request.user, case), many=True).data)

    @extend_schema(
        request=VisitCreateSerializer,
        responses={201: VisitSerializer, 400: INVALID, 404: NOT_FOUND},
        description="Record a visit: date, the time only if known, whether the child was "
        "seen, seen alone or not seen (with the reason), and who visited.",
    )
    def create(self, request: Request, case_pk: str | None = None) -> Response:
        case = _lead_case(request, case_pk)
        body = VisitCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        visitor = (
            visitors_for(case).filter(username=data["visited_by"]).first()
            or get_user_model().objects.filter(username=data["visited_by"]).first()
        )
        if visitor is None:
            raise ValidationError({"visited_by": ["No such person"]})
        try:
            visit = visit_record(
                acting_user=request.user,
                case=case,
                visited_on=data["visited_on"],
                visited_at_time=data.get("visited_at_time"),
                seen=data["seen"],
                not_seen_reason=data.get("not_seen_reason", ""),
                visited_by=visitor,
                note=data.get("note", ""),
            )
        except DjangoValidationError as exc:
            raise _as_drf_error(exc) from exc
        return Response(VisitSerializer(visit).data, status=status.HTTP_201_CREATED)


class PlanScheduleViewSet(viewsets.ViewSet):
    """A current plan's review date (child in need) or frequencies (child protection)."""

    @extend_schema(
        request=PlanScheduleSerializer,
        responses={200: PlanClockSerializer, 400: INVALID, 404: NOT_FOUND},
        description="Change a current plan's review date (child in need plans) or its visit "
        "interval and core group frequency (child protection plans), with the reason.",
    )
    def create(self, request: Request, case_pk: str | None = None, pk: str | None = None):
        case = _lead_case(request, case_pk)
        plan = case.plans.filter(pk=pk, end_date__isnull=True).first()
        if plan is None:
            raise Http404
        body = PlanScheduleSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            plan = plan_schedule_change(acting_user=request.user, plan=plan, **body.validated_data)
        except DjangoValidationError as exc:
            raise _as_drf_error(exc) from exc
        return Response(PlanClockSerializer(plan).data)
