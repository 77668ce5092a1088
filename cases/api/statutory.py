"""The lead agency's statutory work over the API: assessments, section 47
enquiries, child in need plans and closing the case, through the same services
as the case page (``cases.services.statutory``).

A step the case's state does not allow (a census rule, or the law: a child
protection plan starts and ends only by a conference's decision) is a 409 with
the one error body, the fields named in ``errors``; when open work stands in the
way, ``open_work`` lists it with links. Bad input is a 400. These records are
the lead agency's: anyone else gets the 404 they get for a case they cannot see.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from cases import selectors, services
from cases.api.cases import AssessmentSerializer
from cases.api.common import FORBIDDEN, INVALID, NOT_FOUND, _as_drf_error, _version_from
from cases.concurrency import AlreadyDone, StaleChange
from cases.dfe_codes import AssessmentFactor, ClosureReason, PrimaryNeed
from cases.models import Case, Plan, Section47Enquiry, WishesNotObtained
from cases.services.statutory_rules import StateRefused
from safeguard.core.api_dates import BoundedDateField
from safeguard.core.api_errors import ErrorSerializer, error_response, flatten
from safeguard.core.api_fields import StrictCharField, StrictModelSerializer


class OpenItemSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["assessment", "section47", "plan"])
    id = serializers.UUIDField()
    label = StrictCharField()
    url = StrictCharField(help_text="Where it is on the case page.")


class RefusedSerializer(ErrorSerializer):
    open_work = OpenItemSerializer(
        many=True,
        required=False,
        help_text="When open work stands in the way of closing the case: each item, with a link.",
    )


REFUSED = OpenApiResponse(
    RefusedSerializer,
    description="The case's state does not allow this (the law or a DfE CIN census rule, "
    "named in the message): nothing was changed. Also answered when someone else did "
    "this one-off step first.",
)
ERRORS = {400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND, 409: REFUSED}


class Section47Serializer(StrictModelSerializer):
    strategy_meeting = serializers.SlugRelatedField(
        slug_field="reference",
        read_only=True,
        allow_null=True,
        help_text="The strategy discussion that decided the enquiry (none if started directly).",
    )
    conference = serializers.SlugRelatedField(
        slug_field="reference",
        read_only=True,
        allow_null=True,
        help_text="The initial child protection conference that concluded it.",
    )

    class Meta:
        model = Section47Enquiry
        fields = ["id", "started_on", "completed_on", "outcome", "strategy_meeting", "conference"]


class PlanSerializer(StrictModelSerializer):
    class Meta:
        model = Plan
        fields = ["id", "kind", "category", "start_date", "end_date", "next_review_on", "version"]


class StartedOnSerializer(serializers.Serializer):
    started_on = BoundedDateField(name="The start date")


class WishesSerializer(serializers.Serializer):
    """The child's wishes and feelings (Children Act 1989 s17(4A), s47(5A)), or
    why they were not obtained: one of the two is required to complete."""

    child_wishes = StrictCharField(max_length=20000, required=False, allow_blank=True)
    wishes_not_obtained = serializers.ChoiceField(
        choices=WishesNotObtained.choices, required=False, allow_blank=True
    )
    wishes_not_obtained_detail = StrictCharField(max_length=5000, required=False, allow_blank=True)


class AssessmentCompleteSerializer(WishesSerializer):
    internal_review_on = BoundedDateField(
        name="The internal review date", required=False, allow_null=True
    )
    summary = StrictCharField(max_length=20000)
    primary_need = serializers.ChoiceField(choices=PrimaryNeed.choices)
    factors = serializers.ListField(
        child=serializers.ChoiceField(choices=AssessmentFactor.choices), allow_empty=False
    )


class Section47CompleteSerializer(WishesSerializer):
    outcome = serializers.ChoiceField(choices=Section47Enquiry.Outcome.choices)


class PlanStartSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=Plan.Kind.choices,
        help_text="Only `cin`: a child protection plan starts at a conference (409 here).",
    )
    start_date = BoundedDateField(name="The start date")


class PlanEndSerializer(serializers.Serializer):
    end_date = BoundedDateField(name="The end date")


class ClosureSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=ClosureReason.choices)
    explanation = StrictCharField(max_length=10000)
    date_of_death = BoundedDateField(
        name="The date of death",
        required=False,
        allow_null=True,
        help_text="Required for reason RC2 (died) unless the child's record has it.",
    )


def _call(service: Callable[..., Any], **kwargs: Any) -> Any:
    """Run a statutory service, its refusals as the API answers them."""
    try:
        return service(**kwargs)
    except AlreadyDone as done:
        raise _Answered(error_response(status.HTTP_409_CONFLICT, done.message)) from done
    except StaleChange as stale:
        raise _Answered(
            error_response(status.HTTP_412_PRECONDITION_FAILED, stale.message)
        ) from stale
    except StateRefused as refused:
        errors = flatten(refused.message_dict if hasattr(refused, "error_dict") else {})
        extra = {}
        if refused.open_work:
            extra["open_work"] = OpenItemSerializer(refused.open_work, many=True).data
        raise _Answered(
            error_response(
                status.HTTP_409_CONFLICT, " ".join(refused.messages), errors=errors, **extra
            )
        ) from refused
    except DjangoValidationError as exc:
        raise _as_drf_error(exc) from exc


class _Answered(Exception):
    def __init__(self, response: Response) -> None:
        self.response = response


class CaseStatutoryViewSet(viewsets.ViewSet):
    """``cases/{case_pk}/...``: each route below is one statutory step."""

    def _case(self, request: Request, case_pk: Any) -> Case:
        case = selectors.get_case_for(request.user, case_pk, audit=False)
        if not selectors.has_lead_access(request.user, case):
            raise Http404
        return case

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, _Answered):
            return exc.response
        return super().handle_exception(exc)

    @extend_schema(responses=Section47Serializer(many=True))
    def section47_list(self, request: Request, case_pk: str | None = None) -> Response:
        case = self._case(request, case_pk)
        rows = case.section47_enquiries.select_related("strategy_meeting", "conference")
        return Response(Section47Serializer(rows, many=True).data)

    @extend_schema(
        request=StartedOnSerializer,
        responses={201: Section47Serializer, **ERRORS},
        description="Start a section 47 enquiry (one open at a time, not before the referral).",
    )
    def section47_start(self, request: Request, case_pk: str | None = None) -> Response:
        case = self._case(request, case_pk)
        body = StartedOnSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        enquiry = _call(
            services.section47_start, acting_user=request.user, case=case, **body.validated_data
        )
        return Response(Section47Serializer(enquiry).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=Section47CompleteSerializer, responses={200: Section47Serializer, **ERRORS}
    )
    def section47_complete(
        self, request: Request, case_pk: str | None = None, pk: str | None = None
    ) -> Response:
        case = self._case(request, case_pk)
        enquiry = case.section47_enquiries.filter(pk=pk).first()
        if enquiry is None:
            raise Http404
        body = Section47CompleteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        enquiry = _call(
            services.section47_complete,
            acting_user=request.user,
            enquiry=enquiry,
            **body.validated_data,
        )
        return Response(Section47Serializer(enquiry).data)

    @extend_schema(
        request=StartedOnSerializer,
        responses={201: AssessmentSerializer, **ERRORS},
        description="Start the next child and family assessment (one open at a time).",
    )
    def assessment_start(self, request: Request, case_pk: str | None = None) -> Response:
        case = self._case(request, case_pk)
        body = StartedOnSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        assessment = _call(
            services.assessment_start, acting_user=request.user, case=case, **body.validated_data
        )
        return Response(AssessmentSerializer(assessment).data, status=status.HTTP_201_CREATED)

    def _assessment(self, request: Request, case_pk: Any, pk: Any):
        assessment = self._case(request, case_pk).assessments.filter(pk=pk).first()
        if assessment is None:
            raise Http404
        return assessment

    @extend_schema(
        request=AssessmentCompleteSerializer, responses={200: AssessmentSerializer, **ERRORS}
    )
    def assessment_complete(
        self, request: Request, case_pk: str | None = None, pk: str | None = None
    ) -> Response:
        assessment = self._assessment(request, case_pk, pk)
        body = AssessmentCompleteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        assessment = _call(
            services.assessment_complete,
            acting_user=request.user,
            assessment=assessment,
            **body.validated_data,
        )
        return Response(AssessmentSerializer(assessment).data)

    @extend_schema(request=None, responses={200: AssessmentSerializer, **ERRORS})
    def assessment_authorise(
        self, request: Request, case_pk: str | None = None, pk: str | None = None
    ) -> Response:
        assessment = self._assessment(request, case_pk, pk)
        assessment = _call(
            services.assessment_authorise, acting_user=request.user, assessment=assessment
        )
        return Response(AssessmentSerializer(assessment).data)

    @extend_schema(responses=PlanSerializer(many=True))
    def plan_list(self, request: Request, case_pk: str | None = None) -> Response:
        return Response(PlanSerializer(self._case(request, case_pk).plans.all(), many=True).data)

    @extend_schema(
        request=PlanStartSerializer,
        responses={201: PlanSerializer, **ERRORS},
        description="Start a child in need plan. A child protection plan starts only at an "
        "initial or transfer-in conference (finalise its record): asking here is a 409.",
    )
    def plan_start(self, request: Request, case_pk: str | None = None) -> Response:
        case = self._case(request, case_pk)
        body = PlanStartSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        plan = _call(
            services.plan_start, acting_user=request.user, case=case, **body.validated_data
        )
        return Response(PlanSerializer(plan).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=PlanEndSerializer,
        responses={200: PlanSerializer, 412: OpenApiResponse(ErrorSerializer), **ERRORS},
        parameters=[
            OpenApiParameter(
                "If-Match",
                str,
                OpenApiParameter.HEADER,
                required=False,
                description='the plan\'s ``"<id>-v<version>"``: refused (412) if it changed since.',
            )
        ],
        description="End a child in need plan. A child protection plan ends only by a review "
        "conference's decision (or with the case where the law allows): a 409 here.",
    )
    def plan_end(
        self, request: Request, case_pk: str | None = None, pk: str | None = None
    ) -> Response:
        plan = self._case(request, case_pk).plans.filter(pk=pk).first()
        if plan is None:
            raise Http404
        body = PlanEndSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        if_match = request.headers.get("If-Match")
        plan = _call(
            services.plan_end,
            acting_user=request.user,
            plan=plan,
            end_date=body.validated_data["end_date"],
            expected_version=_version_from(if_match) if if_match else None,
        )
        return Response(PlanSerializer(plan).data)

    @extend_schema(
        request=ClosureSerializer,
        responses={202: OpenApiResponse(description="Closure requested."), **ERRORS},
        description="Ask for the case to close. Refused (409, with ``open_work``) while an "
        "assessment is not authorised, an enquiry has no outcome or a plan is current "
        "(census rules 8867, 8868, 8565, 2990).",
    )
    def closure_request(self, request: Request, case_pk: str | None = None) -> Response:
        case = self._case(request, case_pk)
        body = ClosureSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        _call(
            services.case_closure_request,
            acting_user=request.user,
            case=case,
            **body.validated_data,
        )
        return Response(status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        request=None,
        responses={200: OpenApiResponse(description="The case is closed."), **ERRORS},
        description="A manager of the lead agency authorises the closure asked for.",
    )
    def closure_authorise(self, request: Request, case_pk: str | None = None) -> Response:
        case = self._case(request, case_pk)
        case = _call(services.case_closure_authorise, acting_user=request.user, case=case)
        return Response({"status": case.status, "closed_at": case.closed_at})
