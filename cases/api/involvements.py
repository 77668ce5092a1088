"""A case's involved agencies (``cases/{case_id}/involvements/``): one per
agency with its reasons; the lead agency ends one, saying why."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import ViewSet

from cases import selectors, services
from cases.api.cases import InvolvementSerializer
from cases.api.common import INVALID, NOT_FOUND, UUID_PATTERN, _as_drf_error
from cases.concurrency import StaleChange
from cases.models import Involvement
from safeguard.core.api_errors import error_response
from safeguard.core.api_fields import StrictCharField


class EndInvolvementSerializer(serializers.Serializer):
    reason = StrictCharField(max_length=2000, help_text="Why the involvement ends.")


class CaseInvolvementViewSet(ViewSet):
    lookup_value_regex = UUID_PATTERN

    @extend_schema(
        responses={200: InvolvementSerializer(many=True), 404: NOT_FOUND},
        description="The agencies involved in the case now, each once, with every current "
        "reason (a concern, a referral, each meeting invitation).",
    )
    def list(self, request: Request, case_pk: str | None = None) -> Response:
        case = selectors.get_case_for(request.user, case_pk, audit=False)
        rows = selectors.involvements_for(request.user, case)
        return Response(InvolvementSerializer(rows, many=True).data)

    @extend_schema(
        request=EndInvolvementSerializer,
        responses={
            204: OpenApiResponse(description="Ended: the agency's access ends now."),
            400: INVALID,
            404: NOT_FOUND,
            409: OpenApiResponse(description="Someone ended it already; nothing changed."),
        },
        description="End an agency's involvement, every reason at once, with a reason "
        "(audited, on the chronology). The lead agency's social workers and managers only; "
        "the lead agency's own involvement cannot be ended.",
    )
    @action(detail=True, methods=["post"])
    def end(self, request: Request, case_pk: str | None = None, pk: str | None = None) -> Response:
        case = selectors.get_case_for(request.user, case_pk, audit=False)
        if not selectors.can_manage_involvement(request.user, case):
            raise Http404
        involvement = case.involvements.filter(pk=pk).exclude(level=Involvement.Level.LEAD).first()
        if involvement is None:
            raise Http404
        body = EndInvolvementSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            services.case_end_involvement(
                acting_user=request.user,
                involvement=involvement,
                reason=body.validated_data["reason"],
            )
        except StaleChange as already:
            return error_response(status.HTTP_409_CONFLICT, already.message)
        except PermissionDenied as exc:
            raise Http404 from exc
        except DjangoValidationError as exc:
            raise _as_drf_error(exc) from exc
        return Response(status=status.HTTP_204_NO_CONTENT)
