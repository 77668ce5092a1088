"""The children API: identity, with optimistic concurrency."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from cases import child_identity, selectors, services
from cases.api.common import (
    ID_PARAMETER,
    NOT_FOUND,
    UUID_PATTERN,
    AgencySerializer,
    _as_drf_error,
    _audit_list,
    _etag,
    _version_from,
)
from cases.dfe_codes import Disability, Ethnicity, UpnUnknown
from cases.models import Child, ChildAddress, Sex
from safeguard.core.api_dates import BoundedDateField
from safeguard.core.api_errors import ErrorSerializer, error_response
from safeguard.core.api_fields import StrictCharField, StrictModelSerializer
from safeguard.core.dates import DateKind


class ChildAddressSerializer(StrictModelSerializer):
    class Meta:
        model = ChildAddress
        fields = ["address", "postcode", "from_date", "to_date"]


class ChildSerializer(StrictModelSerializer):
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
            *child_identity.API_FIELDS,
            "address_history",
            "lead_agency",
            "version",
        ]


class ChildUpdateSerializer(serializers.Serializer):
    first_name = StrictCharField(max_length=100)
    last_name = StrictCharField(max_length=100)
    other_names = StrictCharField(max_length=200, allow_blank=True)
    date_of_birth = BoundedDateField(allow_null=True, kind=DateKind.BIRTH, name="Date of birth")
    sex = serializers.ChoiceField(choices=Sex.choices)
    gender = StrictCharField(max_length=60, allow_blank=True)
    ethnicity = serializers.ChoiceField(choices=Ethnicity.choices)
    disabilities = serializers.ListField(
        child=serializers.ChoiceField(choices=Disability.choices),
        help_text='DfE disability codes. [] means not yet recorded; ["NONE"] means no '
        "disability, and cannot be combined with another code (DfE rule 8790).",
    )
    upn_unknown_reason = serializers.ChoiceField(
        choices=UpnUnknown.choices,
        allow_blank=True,
        help_text="Why the child has no UPN (DfE UN1-UN7); only when there is no UPN.",
    )
    former_upn = StrictCharField(max_length=13, allow_blank=True)
    date_of_death = BoundedDateField(allow_null=True, kind=DateKind.BIRTH, name="Date of death")
    cp_plans_before_record = serializers.IntegerField(
        allow_null=True,
        min_value=0,
        max_value=50,
        help_text="Child protection plans before this authority's record began; null: not known.",
    )
    language = StrictCharField(max_length=60, allow_blank=True)
    address = StrictCharField(allow_blank=True)
    postcode = StrictCharField(max_length=10, allow_blank=True)
    school = StrictCharField(max_length=200, allow_blank=True)


class StaleChildSerializer(ErrorSerializer):
    current = ChildSerializer()


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
            selectors.children_for(self.request.user)
            .prefetch_related("address_history")
            .order_by("last_name", "first_name", "id")
        )

    def list(self, request: Request, *args, **kwargs) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        data = ChildSerializer(page, many=True).data
        _audit_list(request, "children_listed", (c.reference for c in page))
        return self.get_paginated_response(data)

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        child = selectors.get_child_for(request.user, pk)
        return Response(ChildSerializer(child).data, headers={"ETag": _etag(child)})

    @extend_schema(
        request=ChildUpdateSerializer,
        responses={
            200: ChildSerializer,
            412: OpenApiResponse(
                StaleChildSerializer,
                description="If-Match named an older version: someone changed the record "
                "since you read it. Nothing was changed; ``current`` is the record now.",
            ),
            428: OpenApiResponse(description="No If-Match header: read the child first."),
        },
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
        child = selectors.get_child_for(request.user, pk)
        if_match = request.headers.get("If-Match")
        if not if_match:
            return error_response(
                status.HTTP_428_PRECONDITION_REQUIRED,
                "Send If-Match with the ETag you read, so no change is lost.",
            )
        body = ChildUpdateSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        try:
            child = services.child_update(
                acting_user=request.user,
                child=child,
                expected_version=_version_from(if_match),
                fields=body.validated_data,
            )
        except child_identity.StaleEdit as stale:
            return error_response(
                status.HTTP_412_PRECONDITION_FAILED,
                "Someone else changed this record since you read it.",
                current=ChildSerializer(stale.current).data,
                headers={"ETag": _etag(stale.current)},
            )
        except DjangoValidationError as exc:
            raise _as_drf_error(exc) from exc
        return Response(ChildSerializer(child).data, headers={"ETag": _etag(child)})
