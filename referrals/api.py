"""REST API for referrals: the same selectors and state machine as the pages."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from agencies.models import Agency
from cases import selectors as case_selectors
from cases.api import _as_drf_error as _drf_error
from cases.selectors.record import note_agencies_for
from referrals import selectors, services
from referrals.models import Referral
from safeguard.audit.services import audit_record
from safeguard.core.api_fields import StrictCharField, StrictModelSerializer, StrictSlugField
from safeguard.core.pagination import cursor_pagination

UUID_PATTERN = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"


class ReferralSerializer(StrictModelSerializer):
    from_agency = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    to_agency = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    case = serializers.SerializerMethodField()
    child_name = StrictCharField(source="case.child.full_name", read_only=True)

    class Meta:
        model = Referral
        fields = [
            "id",
            "reference",
            "status",
            "case",
            "child_name",
            "from_agency",
            "to_agency",
            "reason",
            "request",
            "urgency",
            "sharing_basis",
            "sharing_reason",
            "sent_at",
            "response_due_at",
            "acknowledged_at",
            "responded_at",
            "decline_reason",
            "withdrawn_reason",
            "ended_at",
        ]

    def get_case(self, referral: Referral) -> str | None:
        """The case id, only for people who may open the case."""
        visible = self.context.get("visible_cases", set())
        return str(referral.case_id) if referral.case_id in visible else None


class ReferralCreateSerializer(serializers.Serializer):
    case = serializers.UUIDField()
    from_agency = StrictSlugField(required=False)
    to_agency = StrictSlugField()
    reason = StrictCharField(max_length=10000)
    request = StrictCharField(max_length=5000)
    urgency = serializers.ChoiceField(choices=Referral.Urgency.choices)
    sharing_basis = serializers.ChoiceField(
        choices=Referral._meta.get_field("sharing_basis").choices
    )
    sharing_reason = StrictCharField(max_length=5000, required=False, allow_blank=True)


class TransitionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=sorted(services.TRANSITIONS))
    reason = StrictCharField(max_length=5000, required=False, allow_blank=True)


class ReferralViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Referrals your agencies sent or received."""

    serializer_class = ReferralSerializer
    lookup_value_regex = UUID_PATTERN
    pagination_class = cursor_pagination("-sent_at", "-id")

    def get_queryset(self):
        return selectors.referrals_for(self.request.user).order_by("-sent_at", "-id")

    def get_object(self) -> Referral:
        return selectors.get_referral_for(self.request.user, self.kwargs["pk"])

    def _context_for(self, referrals: list[Referral]) -> dict:
        """Which of these referrals' cases the user may see: one query for a page,
        never one over every referral the user's agencies have made."""
        context = super().get_serializer_context()
        case_ids = {r.case_id for r in referrals if r.case_id}
        context["visible_cases"] = (
            set(
                case_selectors.cases_for(self.request.user)
                .filter(pk__in=case_ids)
                .values_list("pk", flat=True)
            )
            if case_ids
            else set()
        )
        return context

    def get_serializer(self, *args, **kwargs):
        if args and "context" not in kwargs:
            shown = args[0] if isinstance(args[0], list) else [args[0]]
            if all(isinstance(r, Referral) for r in shown):
                kwargs["context"] = self._context_for(shown)
        return super().get_serializer(*args, **kwargs)

    def list(self, request: Request, *args, **kwargs) -> Response:
        response = super().list(request, *args, **kwargs)
        audit_record(
            user=request.user,
            action="list",
            event="referrals_listed",
            detail={"references": [r["reference"] for r in response.data["results"]]},
        )
        return response

    @extend_schema(request=ReferralCreateSerializer, responses={201: ReferralSerializer})
    def create(self, request: Request, *args, **kwargs) -> Response:
        body = ReferralCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        case = case_selectors.get_case_for(request.user, data["case"], audit=False)
        mine = note_agencies_for(request.user, case)
        if not mine.exists():
            raise PermissionDenied("You cannot refer from this case.")
        from_agency = mine.filter(slug=data.get("from_agency") or "").first() or (
            mine.first() if mine.count() == 1 and not data.get("from_agency") else None
        )
        if from_agency is None:
            raise ValidationError({"from_agency": "Say which of your agencies is referring."})
        to_agency = Agency.objects.filter(slug=data["to_agency"], is_active=True).first()
        if to_agency is None:
            raise ValidationError({"to_agency": "No such agency."})
        try:
            referral = services.referral_send(
                acting_user=request.user,
                case=case,
                from_agency=from_agency,
                to_agency=to_agency,
                reason=data["reason"],
                request=data["request"],
                urgency=data["urgency"],
                sharing_basis=data["sharing_basis"],
                sharing_reason=data.get("sharing_reason", ""),
            )
        except DjangoValidationError as exc:
            raise _drf_error(exc) from exc
        return Response(self.get_serializer(referral).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=TransitionSerializer,
        responses=ReferralSerializer,
        parameters=[OpenApiParameter("id", str, OpenApiParameter.PATH, description="referral id")],
    )
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk=None) -> Response:
        referral = self.get_object()
        body = TransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            referral = services.referral_transition(
                acting_user=request.user,
                referral=referral,
                action=body.validated_data["action"],
                reason=body.validated_data.get("reason", ""),
            )
        except DjangoValidationError as exc:
            raise _drf_error(exc) from exc
        return Response(self.get_serializer(referral).data)
