"""Restricted cases and break-glass (SPEC 2), over the services the pages use:

    POST /api/v1/cases/{case_pk}/restriction/         restrict to named people
    POST /api/v1/cases/{case_pk}/restriction/lift/    lift the restriction
    POST /api/v1/cases/{case_pk}/break-glass/         break glass, with a reason
    GET  /api/v1/cases/{case_pk}/break-glass/         your break-glass access: its expiry

Restricting and lifting are for the lead agency's managers who see the case;
for anyone else the case might as well not exist (404), as on the page. Break
glass is for a manager told that the restricted record exists
(``GET /cases/{id}/`` answers them 403 with the notice); for anyone else, 404.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from agencies.roles import LEAD_AGENCY_ROLES
from agencies.selectors import members_with_roles
from cases import selectors, services
from cases.api.common import CONFLICT, INVALID, CaseNestedViewSet, _as_drf_error
from cases.models import BreakGlass, Case
from safeguard.core.api_errors import error_response
from safeguard.core.api_fields import StrictCharField, StrictModelSerializer

MANAGERS_ONLY = OpenApiResponse(
    description="No such case, one you may not see, or one you may not restrict (only the "
    "lead agency's managers may): the three are indistinguishable."
)


class RestrictionSerializer(StrictModelSerializer):
    named_users = serializers.SerializerMethodField(
        help_text="Usernames of the people named on the case: the only people who see it "
        "while it is restricted (empty once lifted)."
    )

    class Meta:
        model = Case
        fields = [
            "id",
            "reference",
            "is_restricted",
            "restricted_at",
            "restriction_review_due",
            "named_users",
            "version",
        ]
        extra_kwargs = {
            "restricted_at": {"help_text": "When it was last restricted; null if never."},
            "restriction_review_due": {
                "help_text": "When the restriction must be reviewed; null when not restricted."
            },
        }

    def get_named_users(self, case: Case) -> list[str]:
        return sorted(case.named_access.values_list("user__username", flat=True))


class RestrictSerializer(serializers.Serializer):
    """The page's ``RestrictCaseForm``."""

    reason = StrictCharField(
        max_length=5000,
        help_text=f"Why the case must be restricted (at least {services.MIN_REASON_LENGTH} "
        "characters).",
    )
    named_users = serializers.ListField(
        child=StrictCharField(max_length=150),
        allow_empty=False,
        help_text="Usernames of the lead agency's social workers and managers who may see it. "
        "Name yourself if you need to keep seeing it.",
    )


class LiftSerializer(serializers.Serializer):
    reason = StrictCharField(max_length=5000, help_text="Why the restriction is no longer needed.")


class BreakGlassSerializer(StrictModelSerializer):
    case = serializers.UUIDField(source="case_id", read_only=True)
    reference = StrictCharField(source="case.reference", read_only=True)

    class Meta:
        model = BreakGlass
        fields = ["id", "case", "reference", "reason", "started_at", "expires_at"]


class BreakGlassRequestSerializer(serializers.Serializer):
    """The page's ``BreakGlassForm``."""

    reason = StrictCharField(
        min_length=services.MIN_REASON_LENGTH,
        max_length=5000,
        help_text="Why you need to see this restricted case now. Your reason, your name and "
        "everything you look at are recorded; the lead agency's managers are told at once.",
    )


class RestrictionViewSet(CaseNestedViewSet):
    serializer_class = RestrictionSerializer

    def _restrictable(self, case_pk: str | None) -> Case:
        case = self._case(case_pk)
        if not selectors.can_restrict(self.request.user, case):
            raise Http404
        return case

    @extend_schema(
        request=RestrictSerializer,
        responses={200: RestrictionSerializer, 400: INVALID, 404: MANAGERS_ONLY, 409: CONFLICT},
        description="Restrict the case to the people named (a manager of the lead agency). "
        "Everyone else is told only that a restricted record exists. 409 if it already is.",
    )
    def restrict(self, request: Request, case_pk: str | None = None) -> Response:
        case = self._restrictable(case_pk)
        body = RestrictSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        if case.is_restricted:
            return error_response(
                status.HTTP_409_CONFLICT,
                "This case is already restricted: lift the restriction first to change it.",
            )
        wanted = set(body.validated_data["named_users"])
        people = list(
            members_with_roles(case.lead_agency, LEAD_AGENCY_ROLES).filter(username__in=wanted)
        )
        unknown = wanted - {p.username for p in people}
        if unknown:
            raise serializers.ValidationError(
                {
                    "named_users": [
                        f"{name} is not a social worker or manager of the lead agency"
                        for name in sorted(unknown)
                    ]
                }
            )
        try:
            case = services.case_restrict(
                acting_user=request.user,
                case=case,
                reason=body.validated_data["reason"],
                named_users=people,
            )
        except DjangoValidationError as exc:
            raise _as_drf_error(exc) from exc
        return Response(RestrictionSerializer(case).data)

    @extend_schema(
        request=LiftSerializer,
        responses={200: RestrictionSerializer, 400: INVALID, 404: MANAGERS_ONLY, 409: CONFLICT},
        description="Lift the restriction, with the reason (a manager of the lead agency "
        "named on it). 409 if the case is not restricted.",
    )
    def lift(self, request: Request, case_pk: str | None = None) -> Response:
        case = self._restrictable(case_pk)
        body = LiftSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        if not case.is_restricted:
            return error_response(status.HTTP_409_CONFLICT, "This case is not restricted.")
        try:
            case = services.case_lift_restriction(
                acting_user=request.user, case=case, reason=body.validated_data["reason"]
            )
        except DjangoValidationError as exc:
            raise _as_drf_error(exc) from exc
        return Response(RestrictionSerializer(case).data)


class BreakGlassViewSet(CaseNestedViewSet):
    serializer_class = BreakGlassSerializer

    @extend_schema(
        responses={
            200: BreakGlassSerializer,
            404: OpenApiResponse(
                description="No such case, one you may not see, or no break-glass access of "
                "yours on it that has not yet expired."
            ),
        },
        description="Your break-glass access to the case while it lasts: when it expires.",
    )
    def current(self, request: Request, case_pk: str | None = None) -> Response:
        case = self._case(case_pk)
        glass = selectors.active_break_glass(request.user, case)
        if glass is None:
            raise Http404
        return Response(BreakGlassSerializer(glass).data)

    @extend_schema(
        request=BreakGlassRequestSerializer,
        responses={
            201: BreakGlassSerializer,
            400: INVALID,
            404: OpenApiResponse(
                description="No such case, one you may not see, one that is not restricted "
                "or that you already see, or you may not break glass on it (a manager of an "
                "agency involved in it): indistinguishable."
            ),
        },
        description=f"Break glass: see a restricted case for {settings.BREAK_GLASS_HOURS:g} "
        "hours, with a written reason. Every read is audited with the reason and the lead "
        "agency's managers are told at once.",
    )
    def create(self, request: Request, case_pk: str | None = None) -> Response:
        case = selectors.restricted_cases_noticed_by(request.user).filter(pk=case_pk).first()
        if case is None or not selectors.can_break_glass(request.user, case):
            raise Http404
        body = BreakGlassRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            glass = services.case_break_glass(
                acting_user=request.user, case=case, reason=body.validated_data["reason"]
            )
        except DjangoValidationError as exc:
            raise _as_drf_error(exc) from exc
        return Response(BreakGlassSerializer(glass).data, status=status.HTTP_201_CREATED)
