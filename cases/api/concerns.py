"""The concerns API: logging, triage and decisions."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse

from agencies.roles import CONCERN_LOGGING_ROLES, TRIAGE_ROLES
from agencies.selectors import agencies_where, agency_ids_where, lead_agencies
from cases import selectors, services
from cases.api.common import (
    FORBIDDEN,
    ID_PARAMETER,
    INVALID,
    NOT_FOUND,
    UUID_PATTERN,
    AgencySerializer,
    ReferenceSerializer,
    _as_drf_error,
    _audit_list,
)
from cases.concern_rules import concern_errors
from cases.dfe_codes import ReferralSource
from cases.identifiers import normalise_nhs_number, normalise_upn, validate_nhs_number, validate_upn
from cases.models import BodyMapMark, Concern
from cases.selectors.cases import visible_among
from cases.services.concerns import CONCERN_FIELDS
from safeguard.core.api_dates import BoundedDateField, BoundedDateTimeField
from safeguard.core.api_fields import (
    ChoiceDisplayField,
    StrictCharField,
    StrictModelSerializer,
    StrictSlugField,
)
from safeguard.core.dates import DateKind
from safeguard.core.pagination import cursor_pagination

# Concerns -----------------------------------------------------------------------


class ConcernSerializer(StrictModelSerializer):
    """A submitted concern. The decision shows once it is authorised, or to the
    people who work its front door; the case only to those who may see it."""

    status_display = ChoiceDisplayField(source="get_status_display", read_only=True)
    reporting_agency = AgencySerializer(read_only=True)
    lead_agency = AgencySerializer(read_only=True)
    categories = serializers.ListField(
        child=serializers.ChoiceField(choices=Concern.Category.choices), read_only=True
    )
    child = serializers.SerializerMethodField()
    decision = serializers.SerializerMethodField()
    decision_display = serializers.SerializerMethodField()
    decision_reason = serializers.SerializerMethodField()
    referral_source = serializers.SerializerMethodField()
    suggested_referral_source = serializers.SerializerMethodField()
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
            "referral_source",
            "suggested_referral_source",
            "case",
        ]
        extra_kwargs = {
            "observed_on": {"help_text": "The day it happened."},
            "observed_at": {
                "help_text": (
                    "When it happened, or null when the reporter gave no time: "
                    "an unknown time is never invented."
                )
            },
        }

    def _triages(self, concern: Concern) -> bool:
        # As ``can_triage``: a restricted case the user may not see (its reporter
        # may still read the concern) takes the front door's view away too.
        case_hidden = (
            concern.case_id
            and concern.case.is_restricted
            and concern.case_id not in self.context.get("visible_cases", set())
        )
        return concern.lead_agency_id in self.context.get("triage_agencies", set()) and not (
            case_hidden
        )

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

    @extend_schema_field(StrictCharField(allow_null=True))
    def get_decision_display(self, concern: Concern) -> str | None:
        if concern.decision and self._decision_visible(concern):
            return concern.get_decision_display()
        return None

    @extend_schema_field(StrictCharField(allow_null=True))
    def get_decision_reason(self, concern: Concern) -> str | None:
        return concern.decision_reason if self._decision_visible(concern) else None

    @extend_schema_field(serializers.ChoiceField(choices=ReferralSource.choices, allow_null=True))
    def get_referral_source(self, concern: Concern) -> str | None:
        """Who referred, as the person deciding recorded it (census N00152)."""
        if concern.referral_source and self._decision_visible(concern):
            return concern.referral_source
        return None

    @extend_schema_field(serializers.ChoiceField(choices=ReferralSource.choices, allow_null=True))
    def get_suggested_referral_source(self, concern: Concern) -> str | None:
        """For the front door, before a decision: the source the reporting agency's
        kind suggests, to confirm or change when recording the decision."""
        if self._triages(concern) and not concern.decision:
            return services.suggested_referral_source(concern)
        return None

    @extend_schema_field(ReferenceSerializer(allow_null=True))
    def get_case(self, concern: Concern) -> dict | None:
        if concern.case_id and concern.case_id in self.context.get("visible_cases", set()):
            return {"id": concern.case_id, "reference": concern.case.reference}
        return None


class BodyMapMarkInSerializer(serializers.Serializer):
    side = serializers.ChoiceField(choices=BodyMapMark.Side.choices)
    region = serializers.ChoiceField(
        choices=BodyMapMark.Region.choices, help_text="Left and right are the child's own."
    )
    description = StrictCharField(max_length=2000)


class ConcernCreateSerializer(serializers.Serializer):
    """What a practitioner reports. The rules are the page's (``concern_rules``)."""

    body_map = BodyMapMarkInSerializer(
        many=True,
        required=False,
        max_length=30,
        help_text="Marks or injuries seen, saved with the concern in one transaction.",
    )

    reporting_agency = StrictSlugField(
        required=False,
        help_text="Slug of the agency you report for. Needed only if you belong to several.",
    )
    lead_agency = StrictSlugField(
        required=False,
        help_text="Slug of the children's social care front door. "
        "Defaults to your agency's usual one.",
    )
    child_first_name = StrictCharField(
        max_length=100,
        error_messages={
            "required": "Enter the child's first name",
            "blank": "Enter the child's first name",
        },
    )
    child_last_name = StrictCharField(max_length=100, required=False, allow_blank=True)
    child_date_of_birth = BoundedDateField(
        required=False, allow_null=True, kind=DateKind.BIRTH, name="Date of birth"
    )
    child_age_years = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=25
    )
    child_address = StrictCharField(required=False, allow_blank=True, max_length=2000)
    child_postcode = StrictCharField(required=False, allow_blank=True, max_length=10)
    child_school = StrictCharField(required=False, allow_blank=True, max_length=200)
    child_nhs_number = StrictCharField(required=False, allow_blank=True, max_length=14)
    child_upn = StrictCharField(required=False, allow_blank=True, max_length=13)
    # Kept exactly as typed: what the child said, in their words. Escaping is
    # the renderer's job, never the store's.
    account = StrictCharField(
        max_length=20000,
        trim_whitespace=False,
        error_messages={"required": "Enter what you saw or heard"},
    )
    observed_at = BoundedDateTimeField(
        name="The date it happened",
        required=False,
        allow_null=True,
        help_text=(
            "When it happened, if the time is known. Give this, or observed_on "
            "alone when only the day is known: an unknown time stays unknown."
        ),
    )
    observed_on = BoundedDateField(
        name="The date it happened",
        required=False,
        allow_null=True,
        help_text="The day it happened. Taken from observed_at when that is given.",
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
    actions_taken = StrictCharField(required=False, allow_blank=True, max_length=5000)
    family_aware = serializers.ChoiceField(
        choices=Concern.FamilyAware.choices,
        error_messages={"required": "Select whether the family knows"},
    )
    sharing_basis = serializers.ChoiceField(
        choices=Concern.SharingBasis.choices,
        error_messages={"required": "Select whether the family consents to sharing"},
    )
    sharing_reason = StrictCharField(required=False, allow_blank=True, max_length=5000)

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
        observed_at, observed_on = data.get("observed_at"), data.get("observed_on")
        if observed_at is None and observed_on is None:
            errors["observed_at"] = "Enter when it happened or when you were told"
        elif observed_at is not None:
            day = timezone.localdate(observed_at)
            if observed_on is not None and observed_on != day:
                errors["observed_on"] = "observed_on must be the day of observed_at"
            data["observed_on"] = day
        elif observed_on > timezone.localdate():
            errors["observed_on"] = "The date it happened must be today or in the past"
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
    referral_source = serializers.ChoiceField(
        choices=ReferralSource.choices,
        help_text="Who referred the child, as the DfE Children in Need census counts it "
        "(N00152). The concern's suggested_referral_source is a suggestion from the "
        "reporting agency's kind, not a default: send the source you have confirmed.",
    )
    reason = StrictCharField(
        max_length=10000, error_messages={"blank": "Enter the reason for the decision"}
    )


class ReturnSerializer(serializers.Serializer):
    comment = StrictCharField(
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


# Newest first; submitted_at is set on every concern but a draft.
CONCERN_ORDER = ("-submitted_at", "-id")


def _submitted_concerns(user: AbstractBaseUser, now: Any = None) -> QuerySet[Concern]:
    # Drafts live in the browser's autosave; the API deals in submitted concerns.
    return selectors.concerns_for(user, now=now).exclude(status=Concern.Status.DRAFT)


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
    pagination_class = cursor_pagination(*CONCERN_ORDER)

    def get_queryset(self):
        return _submitted_concerns(self.request.user).order_by(*CONCERN_ORDER)

    def _context_for(self, concerns: Iterable[Concern]) -> dict[str, Any]:
        """What the serializer must know about the user, in two queries per page."""
        user = self.request.user
        context = self.get_serializer_context()
        context["visible_cases"] = visible_among(user, {c.case_id for c in concerns if c.case_id})
        context["triage_agencies"] = agency_ids_where(user, TRIAGE_ROLES)
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
        user = request.user
        if user.is_authenticated and user.is_active:
            # A few granted concerns are fetched by id rather than found by
            # walking the county's in date order (``visible_concern_ids_if_few``),
            # by a statement compiled once per process.
            # The page's statement is planned generically: PostgreSQL planned
            # it afresh on every request, for longer than it ran.
            few = selectors.visible_concern_ids_if_few(user, generic_after=True)
            self.keyset_fetch = selectors.visible_rows_fetch(
                "api_concerns", _submitted_concerns, user, few, CONCERN_ORDER
            )
        page = self.paginate_queryset(Concern.objects.none())
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
        marks = [dict(m) for m in data.pop("body_map", [])]
        try:
            concern = services.concern_submit(
                acting_user=request.user,
                reporting_agency=reporting,
                lead_agency=lead,
                fields=data,
                marks=marks,
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
                referral_source=body.validated_data["referral_source"],
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
