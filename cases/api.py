"""REST API v1 over children, cases, chronology and concerns.

The same selectors and services as the pages: what a user may not see is a
404 here too, and every transition goes through the one service that owns it.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from agencies.models import Agency
from agencies.roles import CONCERN_LOGGING_ROLES, TRIAGE_ROLES
from agencies.selectors import agencies_where, lead_agencies
from safeguard.audit.services import audit_record

from . import selectors, services
from .concern_rules import concern_errors
from .identifiers import normalise_nhs_number, normalise_upn, validate_nhs_number, validate_upn
from .models import Case, Child, ChronologyEntry, Concern, Involvement

UUID_PATTERN = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"


def _as_drf_error(exc: DjangoValidationError) -> ValidationError:
    if hasattr(exc, "error_dict"):
        return ValidationError(
            {k: [m for e in v for m in e.messages] for k, v in exc.error_dict.items()}
        )
    return ValidationError({"non_field_errors": exc.messages})


class AgencySerializer(serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = ["slug", "name", "kind"]


class ChildSerializer(serializers.ModelSerializer):
    class Meta:
        model = Child
        fields = [
            "id",
            "reference",
            "first_name",
            "last_name",
            "other_names",
            "date_of_birth",
            "sex",
            "nhs_number",
            "upn",
            "postcode",
        ]


class CaseRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    reference = serializers.CharField()


class ConcernSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    decision_display = serializers.SerializerMethodField()
    decision_reason = serializers.SerializerMethodField()
    reporting_agency = AgencySerializer(read_only=True)
    lead_agency = AgencySerializer(read_only=True)
    case = serializers.SerializerMethodField()

    class Meta:
        model = Concern
        fields = [
            "id",
            "reference",
            "status",
            "status_display",
            "reporting_agency",
            "lead_agency",
            "child_first_name",
            "child_last_name",
            "child_date_of_birth",
            "child_age_years",
            "child_address",
            "child_postcode",
            "child_school",
            "child_nhs_number",
            "child_upn",
            "account",
            "observed_at",
            "categories",
            "immediate_risk",
            "actions_taken",
            "family_aware",
            "sharing_basis",
            "sharing_reason",
            "submitted_at",
            "decision_due_at",
            "decision",
            "decision_display",
            "decision_reason",
            "case",
        ]

    def _decision_visible(self, concern: Concern) -> bool:
        return concern.status == Concern.Status.COMPLETED or concern.pk in self.context.get(
            "triageable", set()
        )

    def get_decision_display(self, concern: Concern) -> str | None:
        return concern.get_decision_display() if self._decision_visible(concern) else None

    def get_decision_reason(self, concern: Concern) -> str | None:
        return concern.decision_reason if self._decision_visible(concern) else None

    @extend_schema_field(CaseRefSerializer(allow_null=True))
    def get_case(self, concern: Concern) -> dict | None:
        if concern.case_id and concern.case_id in self.context.get("visible_cases", set()):
            return {"id": str(concern.case_id), "reference": concern.case.reference}
        return None


class ConcernCreateSerializer(serializers.Serializer):
    reporting_agency = serializers.SlugField(required=False)
    lead_agency = serializers.SlugField(required=False)
    child_first_name = serializers.CharField(max_length=100)
    child_last_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    child_date_of_birth = serializers.DateField(required=False, allow_null=True)
    child_age_years = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=25
    )
    child_address = serializers.CharField(required=False, allow_blank=True)
    child_postcode = serializers.CharField(required=False, allow_blank=True, max_length=10)
    child_school = serializers.CharField(required=False, allow_blank=True, max_length=200)
    child_nhs_number = serializers.CharField(required=False, allow_blank=True, max_length=14)
    child_upn = serializers.CharField(required=False, allow_blank=True, max_length=13)
    account = serializers.CharField(max_length=20000, trim_whitespace=False)
    observed_at = serializers.DateTimeField()
    categories = serializers.ListField(
        child=serializers.ChoiceField(choices=Concern.Category.choices), min_length=1
    )
    immediate_risk = serializers.BooleanField()
    actions_taken = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    family_aware = serializers.ChoiceField(choices=Concern.FamilyAware.choices)
    sharing_basis = serializers.ChoiceField(choices=Concern.SharingBasis.choices)
    sharing_reason = serializers.CharField(required=False, allow_blank=True, max_length=5000)

    def validate_child_nhs_number(self, value: str) -> str:
        try:
            validate_nhs_number(value)
        except DjangoValidationError as exc:
            raise ValidationError(exc.messages) from exc
        return normalise_nhs_number(value) if value else ""

    def validate_child_upn(self, value: str) -> str:
        try:
            validate_upn(value)
        except DjangoValidationError as exc:
            raise ValidationError(exc.messages) from exc
        return normalise_upn(value) if value else ""

    def validate(self, data: dict) -> dict:
        errors = concern_errors(data)
        if errors:
            raise ValidationError(errors)
        user = self.context["request"].user
        mine = agencies_where(user, roles=CONCERN_LOGGING_ROLES)
        slug = data.pop("reporting_agency", None)
        if slug:
            reporting = mine.filter(slug=slug).first()
            if reporting is None:
                raise ValidationError({"reporting_agency": "You cannot report for that agency."})
        elif mine.count() == 1:
            reporting = mine.get()
        elif not mine.exists():
            raise PermissionDenied("You cannot log concerns.")
        else:
            raise ValidationError(
                {"reporting_agency": "You belong to several agencies: say which you report for."}
            )
        lead_slug = data.pop("lead_agency", None)
        lead = (
            lead_agencies().filter(slug=lead_slug).first()
            if lead_slug
            else reporting.default_lead_agency
        )
        if lead is None:
            raise ValidationError({"lead_agency": "Choose a children's social care front door."})
        data["reporting_agency_obj"], data["lead_agency_obj"] = reporting, lead
        return data


class DecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=Concern.Decision.choices)
    reason = serializers.CharField(max_length=10000)


class LinkChildSerializer(serializers.Serializer):
    child = serializers.UUIDField()


class ReturnSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=5000)


class ConcernViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Concerns you logged or whose front door you work. Drafts are the author's only."""

    serializer_class = ConcernSerializer
    lookup_value_regex = UUID_PATTERN

    def get_queryset(self):
        return (
            selectors.concerns_for(self.request.user)
            .exclude(status=Concern.Status.DRAFT)
            .order_by("-submitted_at")
        )

    def get_object(self) -> Concern:
        concern = selectors.get_concern_for(self.request.user, self.kwargs["pk"])
        if concern.status == Concern.Status.DRAFT:
            raise Http404
        return concern

    def get_serializer_context(self) -> dict:
        context = super().get_serializer_context()
        if self.request.user.is_authenticated:
            context["visible_cases"] = set(
                selectors.cases_for(self.request.user).values_list("pk", flat=True)
            )
            context["triageable"] = set(
                self.get_queryset()
                .filter(lead_agency__in=agencies_where(self.request.user, roles=TRIAGE_ROLES))
                .values_list("pk", flat=True)
            )
        return context

    def list(self, request: Request, *args, **kwargs) -> Response:
        response = super().list(request, *args, **kwargs)
        audit_record(
            user=request.user,
            action="list",
            event="concerns_listed_api",
            detail={"references": [c["reference"] for c in response.data["results"]]},
        )
        return response

    @extend_schema(request=ConcernCreateSerializer, responses={201: ConcernSerializer})
    def create(self, request: Request, *args, **kwargs) -> Response:
        incoming = ConcernCreateSerializer(data=request.data, context={"request": request})
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        reporting, lead = data.pop("reporting_agency_obj"), data.pop("lead_agency_obj")
        try:
            concern = services.concern_submit(
                acting_user=request.user, reporting_agency=reporting, lead_agency=lead, fields=data
            )
        except DjangoValidationError as exc:
            raise _as_drf_error(exc) from exc
        return Response(self.get_serializer(concern).data, status=status.HTTP_201_CREATED)

    def _triage(self, request: Request) -> Concern:
        concern = self.get_object()
        if not selectors.can_triage(request.user, concern):
            raise PermissionDenied("You do not work this front door.")
        return concern

    def _respond(self, concern: Concern) -> Response:
        concern = selectors.get_concern_for(self.request.user, concern.pk, audit=False)
        return Response(self.get_serializer(concern).data)

    @extend_schema(request=LinkChildSerializer, responses=ConcernSerializer)
    @action(detail=True, methods=["post"], url_path="link-child")
    def link_child(self, request: Request, pk=None) -> Response:
        concern = self._triage(request)
        body = LinkChildSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        child = (
            selectors.children_at_front_door(request.user, concern.lead_agency)
            .filter(pk=body.validated_data["child"])
            .first()
        )
        if child is None:
            raise ValidationError({"child": "No such child in this front door's records."})
        try:
            concern = services.concern_link_child(
                acting_user=request.user, concern=concern, child=child
            )
        except DjangoValidationError as exc:
            raise _as_drf_error(exc) from exc
        return self._respond(concern)

    @extend_schema(request=DecisionSerializer, responses=ConcernSerializer)
    @action(detail=True, methods=["post"])
    def decision(self, request: Request, pk=None) -> Response:
        concern = self._triage(request)
        body = DecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            concern = services.concern_record_decision(
                acting_user=request.user,
                concern=concern,
                decision=body.validated_data["decision"],
                reason=body.validated_data["reason"],
            )
        except DjangoValidationError as exc:
            raise _as_drf_error(exc) from exc
        return self._respond(concern)

    @extend_schema(request=None, responses=ConcernSerializer)
    @action(detail=True, methods=["post"])
    def authorise(self, request: Request, pk=None) -> Response:
        concern = self._triage(request)
        try:
            concern = services.concern_authorise_decision(acting_user=request.user, concern=concern)
        except DjangoValidationError as exc:
            raise _as_drf_error(exc) from exc
        return self._respond(concern)

    @extend_schema(request=ReturnSerializer, responses=ConcernSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_decision(self, request: Request, pk=None) -> Response:
        concern = self._triage(request)
        body = ReturnSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            concern = services.concern_return_decision(
                acting_user=request.user, concern=concern, comment=body.validated_data["comment"]
            )
        except DjangoValidationError as exc:
            raise _as_drf_error(exc) from exc
        return self._respond(concern)


class InvolvementSerializer(serializers.ModelSerializer):
    agency = AgencySerializer(read_only=True)
    reason_display = serializers.CharField(source="get_reason_display", read_only=True)
    since = serializers.DateTimeField(source="started_at", read_only=True)

    class Meta:
        model = Involvement
        fields = ["agency", "level", "reason", "reason_display", "since"]


class CaseSerializer(serializers.ModelSerializer):
    child = ChildSerializer(read_only=True)
    lead_agency = AgencySerializer(read_only=True)
    allocated_worker = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "reference",
            "status",
            "child",
            "lead_agency",
            "allocated_worker",
            "opened_at",
            "closed_at",
        ]


class CaseDetailSerializer(CaseSerializer):
    lead_access = serializers.BooleanField(read_only=True)
    involvements = InvolvementSerializer(many=True, read_only=True)

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "lead_access", "involvements"]


class ChronologyEntrySerializer(serializers.ModelSerializer):
    agency = AgencySerializer(read_only=True)

    class Meta:
        model = ChronologyEntry
        fields = [
            "id",
            "occurred_at",
            "agency",
            "kind",
            "title",
            "body",
            "visibility",
            "source_reference",
        ]


class CaseViewSet(viewsets.ReadOnlyModelViewSet):
    """Cases you may see, at your level of access."""

    serializer_class = CaseSerializer
    lookup_value_regex = UUID_PATTERN

    def get_queryset(self):
        return selectors.case_list_for(self.request.user)

    def list(self, request: Request, *args, **kwargs) -> Response:
        response = super().list(request, *args, **kwargs)
        audit_record(
            user=request.user,
            action="list",
            event="cases_listed_api",
            detail={"references": [c["reference"] for c in response.data["results"]]},
        )
        return response

    @extend_schema(responses=CaseDetailSerializer)
    def retrieve(self, request: Request, pk=None) -> Response:
        detail = selectors.case_detail_for(request.user, pk)
        case = detail["case"]
        case.lead_access = detail["lead_access"]
        data = CaseDetailSerializer(case, context=self.get_serializer_context()).data
        data["involvements"] = InvolvementSerializer(detail["involvements"], many=True).data
        return Response(data)

    @extend_schema(
        responses=ChronologyEntrySerializer(many=True),
        parameters=[
            OpenApiParameter("agency", str, description="agency slug"),
            OpenApiParameter("kind", str, enum=[k for k, _ in ChronologyEntry.Kind.choices]),
        ],
    )
    @action(detail=True, methods=["get"])
    def chronology(self, request: Request, pk=None) -> Response:
        case = selectors.get_case_for(request.user, pk)
        entries = selectors.chronology_for(request.user, case)
        if request.query_params.get("agency"):
            entries = entries.filter(agency__slug=request.query_params["agency"])
        if request.query_params.get("kind"):
            entries = entries.filter(kind=request.query_params["kind"])
        page = self.paginate_queryset(entries)
        return self.get_paginated_response(ChronologyEntrySerializer(page, many=True).data)


class ChildViewSet(viewsets.ReadOnlyModelViewSet):
    """Children with a case you may see, and for front-door staff, their authority's children."""

    serializer_class = ChildSerializer
    lookup_value_regex = UUID_PATTERN

    def get_queryset(self):
        return selectors.children_for(self.request.user)

    def get_object(self) -> Child:
        child = self.get_queryset().filter(pk=self.kwargs["pk"]).first()
        if child is None:
            raise Http404
        audit_record(user=self.request.user, action="view", event="child_viewed", obj=child)
        return child
