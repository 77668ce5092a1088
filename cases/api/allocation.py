"""Allocating a case, over the service the case page uses:

    POST /api/v1/cases/{case_pk}/allocation/    allocate to a worker (and a team)

For the lead agency's managers who see the case; for anyone else a 404, as on
the page. The case's version guards against replacing an allocation someone
else made meanwhile: send it as If-Match (``"<case id>-v<version>"``, the ETag of a
previous answer), and a change made since is refused with 412 and the case as it is now.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from cases import selectors, services
from cases.api.common import INVALID, CaseNestedViewSet, _as_drf_error, _etag, _version_from
from cases.concurrency import StaleChange
from cases.models import Case
from safeguard.core.api_errors import ErrorSerializer, error_response
from safeguard.core.api_fields import StrictCharField, StrictModelSerializer


class AllocationSerializer(StrictModelSerializer):
    allocated_worker = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    team = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text="The team's id; null for no team."
    )
    team_name = serializers.SlugRelatedField(
        source="team", slug_field="name", read_only=True, allow_null=True
    )

    class Meta:
        model = Case
        fields = ["id", "reference", "allocated_worker", "team", "team_name", "version"]


class AllocateSerializer(serializers.Serializer):
    """The page's ``AllocateForm``."""

    worker = StrictCharField(
        max_length=150, help_text="Username of a social worker or manager of the lead agency."
    )
    team = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text="One of the lead agency's teams, which the worker is in; null for none.",
    )


class StaleAllocationSerializer(ErrorSerializer):
    current = AllocationSerializer()


class AllocationViewSet(CaseNestedViewSet):
    serializer_class = AllocationSerializer

    @extend_schema(
        request=AllocateSerializer,
        parameters=[
            OpenApiParameter(
                "If-Match",
                str,
                OpenApiParameter.HEADER,
                required=False,
                description='The case\'s ETag, ``"<id>-v<version>"``: refused (412) if the '
                "case changed since. Without it, nothing is checked.",
            )
        ],
        responses={
            200: AllocationSerializer,
            400: INVALID,
            404: OpenApiResponse(
                description="No such case, one you may not see, or one you may not allocate "
                "(only the lead agency's managers may): indistinguishable."
            ),
            412: OpenApiResponse(
                StaleAllocationSerializer,
                description="If-Match named an older version: someone changed the case since. "
                "Nothing was changed; ``current`` is the allocation now.",
            ),
        },
        description="Allocate the case to a worker, and to a team they are in. They are told.",
    )
    def create(self, request: Request, case_pk: str | None = None) -> Response:
        case = self._case(case_pk)
        if not selectors.can_allocate(request.user, case):
            raise Http404
        body = AllocateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        worker = selectors.allocatable_workers(case).filter(username=data["worker"]).first()
        if worker is None:
            raise ValidationError(
                {"worker": ["Choose a social worker or manager of the lead agency"]}
            )
        team = None
        if data.get("team"):
            team = selectors.allocatable_teams(case).filter(pk=data["team"]).first()
            if team is None:
                raise ValidationError({"team": ["Choose one of the lead agency's teams"]})
        if_match = request.headers.get("If-Match")
        try:
            case = services.case_allocate(
                acting_user=request.user,
                case=case,
                worker=worker,
                team=team,
                expected_version=_version_from(if_match) if if_match else None,
            )
        except StaleChange as stale:
            return error_response(
                status.HTTP_412_PRECONDITION_FAILED,
                stale.message,
                current=AllocationSerializer(stale.current).data,
                headers={"ETag": _etag(stale.current)},
            )
        except DjangoValidationError as exc:
            raise _as_drf_error(exc) from exc
        return Response(AllocationSerializer(case).data, headers={"ETag": _etag(case)})
