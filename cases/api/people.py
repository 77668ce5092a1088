"""The people around a child on a case, over the case page's services and selectors:

    GET  /api/v1/cases/{case_pk}/household/                      the household
    POST /api/v1/cases/{case_pk}/household/                      add someone (lead agency)
    GET  /api/v1/cases/{case_pk}/professionals/                  named professionals
    POST /api/v1/cases/{case_pk}/professionals/                  add one (lead agency)
    POST /api/v1/cases/{case_pk}/professionals/{id}/end/         take one off the case

Everyone who sees the case sees both lists (SPEC 2); only the lead agency's
social workers and managers change them; for anyone else a change is a 404,
as on the page. Every list read is audited on the case.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from cases import selectors, services
from cases.api.cases import ProfessionalSerializer
from cases.api.common import INVALID, CaseNestedViewSet, _as_drf_error
from cases.models import HouseholdMember
from safeguard.core.api_fields import (
    ChoiceDisplayField,
    StrictCharField,
    StrictEmailField,
    StrictModelSerializer,
    StrictSlugField,
)
from safeguard.core.pagination import cursor_pagination

LEAD_ONLY = OpenApiResponse(
    description="No such case, one you may not see, or one on which you do not work for "
    "the lead agency (so you cannot change this): the three are indistinguishable."
)
SEEN = OpenApiResponse(description="No such case, or one you may not see.")


class HouseholdMemberSerializer(StrictModelSerializer):
    relationship_display = ChoiceDisplayField(source="get_relationship_display", read_only=True)
    flags = serializers.ListField(
        child=serializers.ChoiceField(choices=HouseholdMember.Flag.choices),
        read_only=True,
        help_text="Known risks this person brings.",
    )
    sibling_reference = serializers.SlugRelatedField(
        source="sibling",
        slug_field="reference",
        read_only=True,
        allow_null=True,
        help_text="A sibling who is on record: their child reference; null otherwise.",
    )

    class Meta:
        model = HouseholdMember
        fields = [
            "id",
            "name",
            "relationship",
            "relationship_display",
            "lives_with_child",
            "has_parental_responsibility",
            "flags",
            "sibling_reference",
            "added_at",
        ]


class HouseholdMemberCreateSerializer(serializers.Serializer):
    """The page's ``HouseholdMemberForm``."""

    name = StrictCharField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text="Optional for a sibling on record: their name is taken from the record.",
    )
    relationship = serializers.ChoiceField(choices=HouseholdMember.Relationship.choices)
    lives_with_child = serializers.BooleanField(required=False, default=False)
    has_parental_responsibility = serializers.BooleanField(required=False, default=False)
    flags = serializers.ListField(
        child=serializers.ChoiceField(choices=HouseholdMember.Flag.choices),
        required=False,
        default=list,
    )
    sibling_reference = StrictCharField(
        max_length=20,
        required=False,
        allow_blank=True,
        help_text="A sibling on record: their child reference (their cases are then linked).",
    )


class ProfessionalCreateSerializer(serializers.Serializer):
    """The page's ``ProfessionalForm``."""

    name = StrictCharField(max_length=200)
    role = StrictCharField(max_length=200, help_text="Their role or job title.")
    agency = StrictSlugField(help_text="One of the agencies involved in the case.")
    phone = StrictCharField(max_length=40, required=False, allow_blank=True, default="")
    email = StrictEmailField(required=False, allow_blank=True, default="")
    username = StrictCharField(
        max_length=150,
        required=False,
        allow_blank=True,
        help_text="Their Safeguard account, if they have one: a case worker of that agency.",
    )


class HouseholdViewSet(CaseNestedViewSet):
    """The child's household on a case."""

    pagination_class = cursor_pagination("added_at", "id")
    serializer_class = HouseholdMemberSerializer

    @extend_schema(
        responses={200: HouseholdMemberSerializer(many=True), 404: SEEN},
        description="Parents, carers, siblings and other significant adults, with their "
        "risk flags. Audited on the case.",
    )
    def list(self, request: Request, case_pk: str | None = None) -> Response:
        case = self._case(case_pk)
        page = self.paginate_queryset(selectors.household_for(case))
        selectors.case_list_read(request.user, case, event="household_listed", rows=page)
        return self.get_paginated_response(HouseholdMemberSerializer(page, many=True).data)

    @extend_schema(
        request=HouseholdMemberCreateSerializer,
        responses={201: HouseholdMemberSerializer, 400: INVALID, 404: LEAD_ONLY},
        description="Add someone to the household (the lead agency).",
    )
    def create(self, request: Request, case_pk: str | None = None) -> Response:
        case = self._case(case_pk)
        if not selectors.has_lead_access(request.user, case):
            raise Http404
        body = HouseholdMemberCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        try:
            member = services.household_member_add(
                acting_user=request.user,
                case=case,
                name=data.get("name", ""),
                relationship=data["relationship"],
                lives_with_child=data["lives_with_child"],
                has_parental_responsibility=data["has_parental_responsibility"],
                flags=list(dict.fromkeys(data["flags"])),
                sibling_reference=data.get("sibling_reference", ""),
            )
        except DjangoValidationError as exc:
            raise _as_drf_error(exc) from exc
        return Response(HouseholdMemberSerializer(member).data, status=status.HTTP_201_CREATED)


class ProfessionalViewSet(CaseNestedViewSet):
    """The named professionals working with the child."""

    pagination_class = cursor_pagination("added_at", "id")
    serializer_class = ProfessionalSerializer

    def _managed_case(self, case_pk: str | None):
        case = self._case(case_pk)
        if not selectors.can_manage_professionals(self.request.user, case):
            raise Http404
        return case

    @extend_schema(
        responses={200: ProfessionalSerializer(many=True), 404: SEEN},
        description="The professionals currently on the case: every agency on the case sees "
        "them. Audited on the case.",
    )
    def list(self, request: Request, case_pk: str | None = None) -> Response:
        case = self._case(case_pk)
        page = self.paginate_queryset(selectors.professionals_for(case))
        selectors.case_list_read(request.user, case, event="professionals_listed", rows=page)
        return self.get_paginated_response(ProfessionalSerializer(page, many=True).data)

    @extend_schema(
        request=ProfessionalCreateSerializer,
        responses={201: ProfessionalSerializer, 400: INVALID, 404: LEAD_ONLY},
        description="Name a professional working with the child (the lead agency's social "
        "workers and managers).",
    )
    def create(self, request: Request, case_pk: str | None = None) -> Response:
        case = self._managed_case(case_pk)
        body = ProfessionalCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        agencies = selectors.action_agencies(case)
        agency = agencies.filter(slug=data["agency"]).first()
        if agency is None:
            raise ValidationError({"agency": ["Choose an agency involved in the case"]})
        user = None
        if data.get("username"):
            user = (
                selectors.action_owner_candidates(agencies)
                .filter(username=data["username"])
                .first()
            )
            if user is None:
                raise ValidationError({"username": ["No case worker of an agency on the case"]})
        try:
            added = services.professional_add(
                acting_user=request.user,
                case=case,
                name=data["name"],
                role=data["role"],
                agency=agency,
                phone=data["phone"],
                email=data["email"],
                user=user,
            )
        except DjangoValidationError as exc:
            error = _as_drf_error(exc)
            if "user" in error.detail:  # the service's name for what the API calls username
                error.detail["username"] = error.detail.pop("user")
            raise error from exc
        return Response(ProfessionalSerializer(added).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={200: ProfessionalSerializer, 400: INVALID, 404: LEAD_ONLY},
        description="They no longer work with the child: taken off the list, kept on record. "
        "One already taken off is a 404 (it is no longer listed).",
    )
    @action(detail=True, methods=["post"])
    def end(self, request: Request, case_pk: str | None = None, pk: str | None = None):
        case = self._managed_case(case_pk)
        professional = selectors.professionals_for(case).filter(pk=pk).first()
        if professional is None:
            raise Http404
        try:
            ended = services.professional_end(acting_user=request.user, professional=professional)
        except DjangoValidationError as exc:
            raise _as_drf_error(exc) from exc
        return Response(ProfessionalSerializer(ended).data)
