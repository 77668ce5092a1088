"""REST API v1 over children, cases, chronology and concerns.

The same selectors and services as the pages: what a user may not see is a
404 here too (the one deliberate exception, as on the pages, is the notice
that a restricted record exists), every read of case data goes through a
selector that records it, and every transition goes through the one service
that owns it. Per-object facts a serializer needs (may this user see the
linked case? see it at the lead agency's level?) are worked out once per page,
never once per row.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.settings import api_settings

from agencies.models import Agency
from agencies.roles import CONCERN_LOGGING_ROLES, TRIAGE_ROLES
from agencies.selectors import agencies_where, lead_agencies
from cases import actions as case_actions
from cases import child_records, child_selectors, selectors, services
from cases.concern_rules import concern_errors
from cases.concurrency import StaleChange
from cases.dfe_codes import AssessmentFactor, Disability, Ethnicity
from cases.identifiers import normalise_nhs_number, normalise_upn, validate_nhs_number, validate_upn
from cases.models import (
    Assessment,
    Case,
    CaseAction,
    CaseProfessional,
    Child,
    ChildAddress,
    ChronologyEntry,
    Concern,
    Involvement,
    Sex,
)
from cases.services import CONCERN_FIELDS
from safeguard.audit.services import audit_record

# Object ids in URLs are UUIDs; anything else is a 404 from the URL resolver,
# never a 500 from the database.
UUID_PATTERN = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
ID_PARAMETER = OpenApiParameter(
    "id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The object's id (a UUID)."
)
NOT_FOUND = OpenApiResponse(
    description="No such object, or one you may not see: the two are indistinguishable."
)
FORBIDDEN = OpenApiResponse(description="You may see this object but not do this to it.")
INVALID = OpenApiResponse(description="Field errors, keyed by field name.")


def _as_drf_error(exc: DjangoValidationError) -> ValidationError:
    """A service's ValidationError as the API's 400, messages kept by field."""
    if hasattr(exc, "error_dict"):
        return ValidationError(
            {k: [m for e in v for m in e.messages] for k, v in exc.error_dict.items()}
        )
    return ValidationError({api_settings.NON_FIELD_ERRORS_KEY: exc.messages})


def _audit_list(request: Request, event: str, references: Iterable[str | None]) -> None:
    audit_record(
        user=request.user,
        action="list",
        event=event,
        detail={"references": [r for r in references if r]},
    )


# Shared shapes ------------------------------------------------------------------


class AgencySerializer(serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = ["slug", "name", "kind"]


class ReferenceSerializer(serializers.Serializer):
    """An object's id and the reference people read."""

    id = serializers.UUIDField()
    reference = serializers.CharField()


class ChildSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Child
        fields = ["id", "reference", "first_name", "last_name", "date_of_birth"]


class ChildAddressSerializer(serializers.ModelSerializer):
    class Meta:
        model = ChildAddress
        fields = ["address", "postcode", "from_date", "to_date"]


class ChildSerializer(serializers.ModelSerializer):
    lead_agency = AgencySerializer(read_only=True)
    address_history = ChildAddressSerializer(
        many=True,
        read_only=True,
        help_text="Previous addresses, most recent first: kept whenever the address changes.",
    )

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
            "gender",
            "ethnicity",
            "disabilities",
            "language",
            "nhs_number",
            "upn",
            "address",
            "postcode",
            "school",
            "address_history",
            "lead_agency",
            "version",
        ]


# Concerns -----------------------------------------------------------------------


class ConcernSerializer(serializers.ModelSerializer):
    """A submitted concern. The decision shows once it is authorised, or to the
    people who work its front door; the case only to those who may see it."""

    status_display = serializers.CharField(source="get_status_display", read_only=True)
    reporting_agency = AgencySerializer(read_only=True)
    lead_agency = AgencySerializer(read_only=True)
    categories = serializers.ListField(
        child=serializers.ChoiceField(choices=Concern.Category.choices), read_only=True
    )
    child = serializers.SerializerMethodField()
    decision = serializers.SerializerMethodField()
    decision_display = serializers.SerializerMethodField()
    decision_reason = serializers.SerializerMethodField()
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
            *CONCERN_FIELDS,
            "submitted_at",
            "decision_due_at",
            "child",
            "decision",
            "decision_display",
            "decision_reason",
            "case",
        ]

    def _triages(self, concern: Concern) -> bool:
        return concern.lead_agency_id in self.context.get("triage_agencies", set())

    def _decision_visible(self, concern: Concern) -> bool:
        return concern.status == Concern.Status.COMPLETED or self._triages(concern)

    @extend_schema_field(ReferenceSerializer(allow_null=True))
    def get_child(self, concern: Concern) -> dict | None:
        """The child record linked at triage: for the people who work the front door."""
        if concern.child_id and self._triages(concern):
            return {"id": concern.child_id, "reference": concern.child.reference}
        return None

    @extend_schema_field(serializers.ChoiceField(choices=Concern.Decision.choices, allow_null=True))
    def get_decision(self, concern: Concern) -> str | None:
        if concern.decision and self._decision_visible(concern):
            return concern.decision
        return None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_decision_display(self, concern: Concern) -> str | None:
        if concern.decision and self._decision_visible(concern):
            return concern.get_decision_display()
        return None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_decision_reason(self, concern: Concern) -> str | None:
        return concern.decision_reason if self._decision_visible(concern) else None

    @extend_schema_field(ReferenceSerializer(allow_null=True))
    def get_case(self, concern: Concern) -> dict | None:
        if concern.case_id and concern.case_id in self.context.get("visible_cases", set()):
            return {"id": concern.case_id, "reference": concern.case.reference}
        return None


class ConcernCreateSerializer(serializers.Serializer):
    """What a practitioner reports. The rules are the page's (``concern_rules``)."""

    reporting_agency = serializers.SlugField(
        required=False,
        help_text="Slug of the agency you report for. Needed only if you belong to several.",
    )
    lead_agency = serializers.SlugField(
        required=False,
        help_text="Slug of the children's social care front door. "
        "Defaults to your agency's usual one.",
    )
    child_first_name = serializers.CharField(
        max_length=100,
        error_messages={
            "required": "Enter the child's first name",
            "blank": "Enter the child's first name",
        },
    )
    child_last_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    child_date_of_birth = serializers.DateField(required=False, allow_null=True)
    child_age_years = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=25
    )
    child_address = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    child_postcode = serializers.CharField(required=False, allow_blank=True, max_length=10)
    child_school = serializers.CharField(required=False, allow_blank=True, max_length=200)
    child_nhs_number = serializers.CharField(required=False, allow_blank=True, max_length=14)
    child_upn = serializers.CharField(required=False, allow_blank=True, max_length=13)
    # Kept exactly as typed: what the child said, in their words. Escaping is
    # the renderer's job, never the store's.
    account = serializers.CharField(
        max_length=20000,
        trim_whitespace=False,
        error_messages={"required": "Enter what you saw or heard"},
    )
    observed_at = serializers.DateTimeField(
        error_messages={"required": "Enter when it happened or when you were told"}
    )
    categories = serializers.ListField(
        child=serializers.ChoiceField(choices=Concern.Category.choices),
        min_length=1,
        error_messages={
            "required": "Select what the concern is about",
            "min_length": "Select what the concern is about",
            "empty": "Select what the concern is about",
        },
    )
    immediate_risk = serializers.BooleanField(
        help_text="Required: true if the child is at immediate risk of harm."
    )
    actions_taken = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    family_aware = serializers.ChoiceField(
        choices=Concern.FamilyAware.choices,
        error_messages={"required": "Select whether the family knows"},
    )
    sharing_basis = serializers.ChoiceField(
        choices=Concern.SharingBasis.choices,
        error_messages={"required": "Select whether the family consents to sharing"},
    )
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

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        errors = dict(concern_errors(data))
        # A form leaves an unticked box out; an API client must say which it is.
        if "immediate_risk" not in getattr(self, "initial_data", {}):
            errors["immediate_risk"] = "Say whether the child is at immediate risk of harm"
        user = self.context["request"].user
        mine = agencies_where(user, roles=CONCERN_LOGGING_ROLES)
        slug = data.pop("reporting_agency", None)
        reporting = None
        if slug:
            reporting = mine.filter(slug=slug).first()
            if reporting is None:
                errors["reporting_agency"] = "You cannot log concerns for that agency"
        else:
            candidates = list(mine[:2])
            if len(candidates) == 1:
                reporting = candidates[0]
            else:
                slugs = ", ".join(mine.order_by("slug").values_list("slug", flat=True))
                errors["reporting_agency"] = (
                    f"You log concerns for several agencies: say which one ({slugs})"
                )
        lead_slug = data.pop("lead_agency", None)
        if lead_slug:
            lead = lead_agencies().filter(slug=lead_slug).first()
        elif reporting is not None:
            lead = lead_agencies().filter(pk=reporting.default_lead_agency_id).first()
        else:
            lead = None
        if lead is None and (lead_slug or reporting is not None):
            errors["lead_agency"] = "Choose a children's social care front door"
        if errors:
            raise ValidationError(errors)
        data["reporting_agency_obj"], data["lead_agency_obj"] = reporting, lead
        return data


class LinkChildSerializer(serializers.Serializer):
    child = serializers.UUIDField(help_text="Id of a child held by the concern's lead agency.")


class DecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=Concern.Decision.choices)
    reason = serializers.CharField(
        max_length=10000, error_messages={"blank": "Enter the reason for the decision"}
    )


class ReturnSerializer(serializers.Serializer):
    comment = serializers.CharField(
        max_length=5000, error_messages={"blank": "Enter why the decision is being returned"}
    )


def _action_schema(request, description: str):
    """A triage action: 403 for those who see the concern but may not do this."""
    return extend_schema(
        request=request,
        responses={200: ConcernSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
        parameters=[ID_PARAMETER],
        description=description,
    )


@extend_schema_view(
    list=extend_schema(
        description="Submitted concerns you may see: those you logged, those your agency's "
        "managers oversee, and those at the front doors you work. Newest first."
    ),
    retrieve=extend_schema(
        parameters=[ID_PARAMETER], responses={200: ConcernSerializer, 404: NOT_FOUND}
    ),
)
class ConcernViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Concerns about children, and their triage at the front door."""

    serializer_class = ConcernSerializer
    lookup_value_regex = UUID_PATTERN

    def get_queryset(self):
        # Drafts live in the browser's autosave; the API deals in submitted concerns.
        return (
            selectors.concerns_for(self.request.user)
            .exclude(status=Concern.Status.DRAFT)
            .order_by("-submitted_at", "-created_at")
        )

    def _context_for(self, concerns: Iterable[Concern]) -> dict[str, Any]:
        """What the serializer must know about the user, in two queries per page."""
        user = self.request.user
        context = self.get_serializer_context()
        case_ids = {c.case_id for c in concerns if c.case_id}
        context["visible_cases"] = (
            set(selectors.cases_for(user).filter(pk__in=case_ids).values_list("pk", flat=True))
            if case_ids
            else set()
        )
        context["triage_agencies"] = set(
            agencies_where(user, roles=TRIAGE_ROLES).values_list("pk", flat=True)
        )
        return context

    def _concern(self, pk: Any, *, audit: bool) -> Concern:
        concern = selectors.get_concern_for(self.request.user, pk, audit=audit)
        if concern.status == Concern.Status.DRAFT:
            raise Http404("No such concern")
        return concern

    def _respond(
        self, concern: Concern, status_code: int = status.HTTP_200_OK, **kwargs
    ) -> Response:
        data = ConcernSerializer(concern, context=self._context_for([concern])).data
        return Response(data, status=status_code, **kwargs)

    def list(self, request: Request, *args, **kwargs) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        data = ConcernSerializer(page, many=True, context=self._context_for(page)).data
        _audit_list(request, "concerns_listed", (c.reference for c in page))
        return self.get_paginated_response(data)

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return self._respond(self._concern(pk, audit=True))

    @extend_schema(
        request=ConcernCreateSerializer,
        responses={201: ConcernSerializer, 400: INVALID, 403: FORBIDDEN},
        description="Submit a concern to a children's social care front door. The reply "
        "carries its reference. Immediate-risk concerns alert the duty team at once.",
    )
    def create(self, request: Request, *args, **kwargs) -> Response:
        if not agencies_where(request.user, roles=CONCERN_LOGGING_ROLES).exists():
            raise PermissionDenied("You cannot log concerns.")
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
        concern = self._concern(concern.pk, audit=False)
        location = reverse("concern-detail", args=[concern.pk], request=request)
        return self._respond(concern, status.HTTP_201_CREATED, headers={"Location": location})

    # Triage: the services check the acting user again; these checks only
    # choose between 404 (cannot see it) and 403 (can see it, may not do this).

    def _for_triage(self, pk: Any) -> Concern:
        concern = self._concern(pk, audit=False)
        if not selectors.can_triage(self.request.user, concern):
            raise PermissionDenied("You do not work this front door.")
        return concern

    def _for_authorising(self, pk: Any) -> Concern:
        concern = self._concern(pk, audit=False)
        if not selectors.can_authorise(self.request.user, concern):
            raise PermissionDenied("Only a manager of this front door can do this.")
        return concern

    def _after(self, concern: Concern) -> Response:
        return self._respond(self._concern(concern.pk, audit=False))

    @_action_schema(
        LinkChildSerializer,
        "Link the concern to the child record it is about (front-door staff).",
    )
    @action(detail=True, methods=["post"], url_path="link-child")
    def link_child(self, request: Request, pk: str | None = None) -> Response:
        concern = self._for_triage(pk)
        body = LinkChildSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        child = (
            selectors.children_at_front_door(request.user, concern.lead_agency)
            .filter(pk=body.validated_data["child"])
            .first()
        )
        if child is None:
            raise ValidationError({"child": ["No such child in this front door's records."]})
        try:
            concern = services.concern_link_child(
                acting_user=request.user, concern=concern, child=child
            )
        except DjangoValidationError as exc:
            raise _as_drf_error(exc) from exc
        return self._after(concern)

    @_action_schema(
        DecisionSerializer,
        "Record the front door's decision and its reason (front-door staff). "
        "It then waits for a manager's authorisation.",
    )
    @action(detail=True, methods=["post"])
    def decision(self, request: Request, pk: str | None = None) -> Response:
        concern = self._for_triage(pk)
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
        return self._after(concern)

    @_action_schema(
        None,
        "Authorise the recorded decision (the front door's managers). A decision "
        "for an assessment or a strategy discussion opens a case.",
    )
    @action(detail=True, methods=["post"])
    def authorise(self, request: Request, pk: str | None = None) -> Response:
        concern = self._for_authorising(pk)
        try:
            concern = services.concern_authorise_decision(acting_user=request.user, concern=concern)
        except DjangoValidationError as exc:
            raise _as_drf_error(exc) from exc
        return self._after(concern)

    @_action_schema(
        ReturnSerializer,
        "Send the recorded decision back to the front door with a comment (managers).",
    )
    @action(detail=True, methods=["post"], url_path="return")
    def return_decision(self, request: Request, pk: str | None = None) -> Response:
        concern = self._for_authorising(pk)
        body = ReturnSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            concern = services.concern_return_decision(
                acting_user=request.user, concern=concern, comment=body.validated_data["comment"]
            )
        except DjangoValidationError as exc:
            raise _as_drf_error(exc) from exc
        return self._after(concern)


# Cases --------------------------------------------------------------------------


class InvolvementSerializer(serializers.ModelSerializer):
    agency = AgencySerializer(read_only=True)
    reason_display = serializers.CharField(source="get_reason_display", read_only=True)
    since = serializers.DateTimeField(source="started_at", read_only=True)

    class Meta:
        model = Involvement
        fields = ["agency", "level", "reason", "reason_display", "since"]


class ProfessionalSerializer(serializers.ModelSerializer):
    agency = AgencySerializer(read_only=True)
    username = serializers.SlugRelatedField(
        source="user", slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = CaseProfessional
        fields = ["id", "name", "role", "agency", "phone", "email", "username", "added_at"]


class AssessmentSerializer(serializers.ModelSerializer):
    factors = serializers.ListField(
        child=serializers.ChoiceField(choices=AssessmentFactor.choices),
        read_only=True,
        help_text="DfE CIN census factors identified at the end of the assessment.",
    )

    class Meta:
        model = Assessment
        fields = [
            "id",
            "started_on",
            "due_on",
            "completed_on",
            "authorised_on",
            "factors",
        ]


class CaseSerializer(serializers.ModelSerializer):
    """A case at your level of access: ``lead_access`` says whether that is the
    lead agency's level or an involved agency's."""

    child = ChildSummarySerializer(read_only=True)
    lead_agency = AgencySerializer(read_only=True)
    allocated_worker = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    team = serializers.SlugRelatedField(slug_field="name", read_only=True, allow_null=True)
    lead_access = serializers.BooleanField(read_only=True)
    involvements = InvolvementSerializer(source="active_involvements", many=True, read_only=True)
    professionals = ProfessionalSerializer(
        source="active_professionals",
        many=True,
        read_only=True,
        help_text="Named professionals working with the child: every agency on the case sees them.",
    )
    assessments = serializers.SerializerMethodField(
        help_text="Child and family assessments: the lead agency's level only (empty otherwise)."
    )

    class Meta:
        model = Case
        fields = [
            "id",
            "reference",
            "status",
            "is_restricted",
            "child",
            "lead_agency",
            "allocated_worker",
            "team",
            "opened_at",
            "closed_at",
            "lead_access",
            "involvements",
            "professionals",
            "assessments",
        ]

    @extend_schema_field(AssessmentSerializer(many=True))
    def get_assessments(self, case: Case) -> list[dict]:
        if not getattr(case, "lead_access", False):
            return []
        return AssessmentSerializer(case.assessments.all(), many=True).data


class ChronologyEntrySerializer(serializers.ModelSerializer):
    agency = AgencySerializer(read_only=True, allow_null=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = ChronologyEntry
        fields = [
            "id",
            "occurred_at",
            "agency",
            "kind",
            "kind_display",
            "title",
            "body",
            "visibility",
            "source_reference",
        ]


class ChronologyFilterSerializer(serializers.Serializer):
    agency = serializers.SlugField(required=False, help_text="Only this agency's entries (slug).")
    kind = serializers.ChoiceField(
        choices=ChronologyEntry.Kind.choices, required=False, help_text="Only entries of this kind."
    )


class RestrictedNoticeSerializer(serializers.Serializer):
    detail = serializers.CharField()
    restricted = serializers.BooleanField()
    reference = serializers.CharField()
    lead_agency = AgencySerializer()


CASE_NOT_SEEN = {
    403: OpenApiResponse(
        RestrictedNoticeSerializer,
        description="A restricted case you would otherwise see: it exists, and nothing more.",
    ),
    404: NOT_FOUND,
}


class CaseActionSerializer(serializers.ModelSerializer):
    agency = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    owner = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = CaseAction
        fields = [
            "id",
            "description",
            "agency",
            "owner",
            "due_on",
            "status",
            "completed_at",
            "version",
        ]


class StaleActionSerializer(serializers.Serializer):
    detail = serializers.CharField()
    current = CaseActionSerializer()


class CaseActionCreateSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=2000)
    agency = serializers.SlugField()
    owner = serializers.CharField(max_length=150, required=False, allow_blank=True)
    due_on = serializers.DateField()


@extend_schema_view(
    list=extend_schema(description="Cases you may see, most recently changed first."),
    retrieve=extend_schema(
        parameters=[ID_PARAMETER],
        responses={200: CaseSerializer, **CASE_NOT_SEEN},
        description="One case, at your level of access.",
    ),
)
class CaseViewSet(viewsets.ReadOnlyModelViewSet):
    """Cases, at the level of access your agency has to each."""

    serializer_class = CaseSerializer
    lookup_value_regex = UUID_PATTERN

    def get_queryset(self):
        return child_selectors.case_list_with_involvements_for(self.request.user)

    def list(self, request: Request, *args, **kwargs) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        lead = child_selectors.lead_access_case_ids(request.user, (c.pk for c in page))
        for case in page:
            case.lead_access = case.pk in lead
        data = CaseSerializer(page, many=True, context=self.get_serializer_context()).data
        _audit_list(request, "cases_listed", (c.reference for c in page))
        return self.get_paginated_response(data)

    def _case(self, pk: Any) -> Case | Response:
        """The case, or, for a restricted one the user would otherwise see, the
        notice that it exists: the one deliberate exception to 404 (SPEC 2)."""
        try:
            return selectors.get_case_for(self.request.user, pk)
        except Http404:
            case = selectors.restricted_cases_noticed_by(self.request.user).filter(pk=pk).first()
            if case is None:
                raise
        audit_record(
            user=self.request.user,
            action="view",
            event="restricted_notice_shown",
            obj=case,
            case_id=case.pk,
        )
        # A response, not an exception: the audit row must be committed.
        notice = {
            "detail": "This is a restricted record. Only the people named on it can see it.",
            "restricted": True,
            "reference": case.reference,
            "lead_agency": AgencySerializer(case.lead_agency).data,
        }
        return Response(notice, status=status.HTTP_403_FORBIDDEN)

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        case = self._case(pk)
        if isinstance(case, Response):
            return case
        case.lead_access = selectors.has_lead_access(request.user, case)
        case.active_involvements = list(selectors.involvements_for(request.user, case))
        from cases.professionals import professionals_for

        case.active_professionals = list(professionals_for(case))
        return Response(CaseSerializer(case, context=self.get_serializer_context()).data)

    @extend_schema(
        parameters=[ID_PARAMETER, ChronologyFilterSerializer],
        responses={200: ChronologyEntrySerializer(many=True), 400: INVALID, **CASE_NOT_SEEN},
        description="The case's chronology at your level of access, newest first: involved "
        "agencies see the entries shared with them, the lead agency sees all.",
    )
    @action(detail=True, methods=["get"])
    def chronology(self, request: Request, pk: str | None = None) -> Response:
        filters = ChronologyFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        case = self._case(pk)
        if isinstance(case, Response):
            return case
        entries = selectors.chronology_for(request.user, case)
        if "agency" in filters.validated_data:
            entries = entries.filter(agency__slug=filters.validated_data["agency"])
        if "kind" in filters.validated_data:
            entries = entries.filter(kind=filters.validated_data["kind"])
        page = self.paginate_queryset(entries)
        return self.get_paginated_response(ChronologyEntrySerializer(page, many=True).data)


# Children -----------------------------------------------------------------------


class CaseActionViewSet(viewsets.ViewSet):
    """Actions on a case (``cases/{case_id}/actions/``): the lead agency sets
    them; each agency sees and completes its own."""

    lookup_value_regex = UUID_PATTERN

    def _case(self, request: Request, case_pk: str):
        case = selectors.get_case_for(request.user, case_pk, audit=False)
        return case, selectors.has_lead_access(request.user, case)

    @extend_schema(responses=CaseActionSerializer(many=True))
    def list(self, request: Request, case_pk: str | None = None) -> Response:
        case, lead = self._case(request, case_pk)
        rows = case_actions.actions_for(request.user, case, lead=lead)
        return Response(CaseActionSerializer(rows, many=True).data)

    @extend_schema(request=CaseActionCreateSerializer, responses={201: CaseActionSerializer})
    def create(self, request: Request, case_pk: str | None = None) -> Response:
        case, _lead = self._case(request, case_pk)
        body = CaseActionCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        agency = case_actions.action_agencies(case).filter(slug=data["agency"]).first()
        if agency is None:
            raise ValidationError({"agency": "Choose an agency involved in the case"})
        owner = None
        if data.get("owner"):
            from django.contrib.auth import get_user_model

            owner = get_user_model().objects.filter(username=data["owner"]).first()
            if owner is None:
                raise ValidationError({"owner": "No such person"})
        try:
            created = case_actions.action_add(
                acting_user=request.user,
                case=case,
                description=data["description"],
                agency=agency,
                owner=owner,
                due_on=data["due_on"],
            )
        except DjangoValidationError as exc:
            raise _as_drf_error(exc) from exc
        return Response(CaseActionSerializer(created).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={
            200: CaseActionSerializer,
            400: INVALID,
            404: NOT_FOUND,
            412: OpenApiResponse(
                StaleActionSerializer,
                description="If-Match named an older version: someone changed the action "
                "since you read it. Nothing was changed; ``current`` is the action now.",
            ),
        },
        parameters=[
            OpenApiParameter(
                "If-Match",
                str,
                OpenApiParameter.HEADER,
                required=False,
                description='the action\'s ETag (``"<id>-v<version>"``, or its ``version`` '
                "from the list): refused (412) if someone changed the action since. Without "
                "it, an action already done is a 400.",
            )
        ],
        description="Mark the action done. Send If-Match so that a change made since you "
        "read it is never silently passed over.",
    )
    @action(detail=True, methods=["post"])
    def done(self, request: Request, case_pk: str | None = None, pk: str | None = None) -> Response:
        case, lead = self._case(request, case_pk)
        row = case_actions.actions_for(request.user, case, lead=lead).filter(pk=pk).first()
        if row is None:
            raise Http404
        if_match = request.headers.get("If-Match")
        try:
            row = case_actions.action_complete(
                acting_user=request.user,
                action=row,
                expected_version=_version_from(if_match) if if_match else None,
            )
        except StaleChange as stale:
            return Response(
                {"detail": stale.message, "current": CaseActionSerializer(stale.current).data},
                status=status.HTTP_412_PRECONDITION_FAILED,
                headers={"ETag": _etag(stale.current)},
            )
        except DjangoValidationError as exc:
            raise _as_drf_error(exc) from exc
        return Response(CaseActionSerializer(row).data, headers={"ETag": _etag(row)})


class ChildUpdateSerializer(serializers.Serializer):
    first_name = serializers.CharField(max_length=100)
    last_name = serializers.CharField(max_length=100)
    other_names = serializers.CharField(max_length=200, allow_blank=True)
    date_of_birth = serializers.DateField(allow_null=True)
    sex = serializers.ChoiceField(choices=Sex.choices)
    gender = serializers.CharField(max_length=60, allow_blank=True)
    ethnicity = serializers.ChoiceField(choices=Ethnicity.choices)
    disabilities = serializers.ListField(child=serializers.ChoiceField(choices=Disability.choices))
    language = serializers.CharField(max_length=60, allow_blank=True)
    address = serializers.CharField(allow_blank=True)
    postcode = serializers.CharField(max_length=10, allow_blank=True)
    school = serializers.CharField(max_length=200, allow_blank=True)


@extend_schema_view(
    list=extend_schema(
        description="Children with a case you may see and, if you work a front door, "
        "the children that authority holds."
    ),
    retrieve=extend_schema(
        parameters=[ID_PARAMETER], responses={200: ChildSerializer, 404: NOT_FOUND}
    ),
)
class ChildViewSet(mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Children's records."""

    serializer_class = ChildSerializer
    lookup_value_regex = UUID_PATTERN
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self):
        return (
            child_selectors.children_for(self.request.user)
            .prefetch_related("address_history")
            .order_by("last_name", "first_name", "id")
        )

    def list(self, request: Request, *args, **kwargs) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        data = ChildSerializer(page, many=True).data
        _audit_list(request, "children_listed", (c.reference for c in page))
        return self.get_paginated_response(data)

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        child = child_selectors.get_child_for(request.user, pk)
        return Response(ChildSerializer(child).data, headers={"ETag": _etag(child)})

    @extend_schema(
        request=ChildUpdateSerializer,
        responses={200: ChildSerializer},
        parameters=[
            OpenApiParameter(
                "If-Match",
                str,
                OpenApiParameter.HEADER,
                required=True,
                description="the ETag from reading the child: refused (412) if someone "
                "changed the record since",
            )
        ],
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        child = child_selectors.get_child_for(request.user, pk)
        if_match = request.headers.get("If-Match")
        if not if_match:
            return Response(
                {"detail": "Send If-Match with the ETag you read, so no change is lost."},
                status=status.HTTP_428_PRECONDITION_REQUIRED,
            )
        body = ChildUpdateSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        try:
            child = child_records.child_update(
                acting_user=request.user,
                child=child,
                expected_version=_version_from(if_match),
                fields=body.validated_data,
            )
        except child_records.StaleEdit as stale:
            return Response(
                {
                    "detail": "Someone else changed this record since you read it.",
                    "current": ChildSerializer(stale.current).data,
                },
                status=status.HTTP_412_PRECONDITION_FAILED,
                headers={"ETag": _etag(stale.current)},
            )
        except DjangoValidationError as exc:
            raise _as_drf_error(exc) from exc
        return Response(ChildSerializer(child).data, headers={"ETag": _etag(child)})


def _etag(obj: Child | CaseAction) -> str:
    """An object's ETag: its id and version, so If-Match names what was read."""
    return f'"{obj.pk}-v{obj.version}"'


def _version_from(if_match: str) -> int:
    try:
        return int(if_match.strip().strip('"').rsplit("-v", 1)[1])
    except (IndexError, ValueError):
        return -1  # matches no version: answered as stale
