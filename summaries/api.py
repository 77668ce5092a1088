"""API for PDF case summaries, over the same services as the pages:

    POST /api/v1/cases/{case_pk}/summaries/            ask for one (202)
    GET  /api/v1/cases/{case_pk}/summaries/{pk}/       its progress
    GET  /api/v1/cases/{case_pk}/summaries/{pk}/download/   the PDF, audited

A summary is its requester's alone: for anyone else it is a 404, as on the pages.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.cache import patch_cache_control
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from cases import selectors
from cases.api import INVALID, NOT_FOUND, _as_drf_error
from safeguard.core.api_dates import BoundedDateField
from safeguard.core.api_errors import error_response
from safeguard.core.api_fields import StrictCharField, StrictModelSerializer
from summaries import services as summaries
from summaries.models import CaseSummary


class CaseSummarySerializer(StrictModelSerializer):
    status_display = StrictCharField(source="get_status_display", read_only=True)
    expired = serializers.BooleanField(source="is_expired", read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = CaseSummary
        fields = [
            "id",
            "status",
            "status_display",
            "failure_reason",
            "date_from",
            "date_to",
            "page_count",
            "sha256",
            "audit_reference",
            "created_at",
            "ready_at",
            "expires_at",
            "expired",
            "download_url",
        ]

    def get_download_url(self, summary: CaseSummary) -> str | None:
        if not summary.is_downloadable:
            return None
        return reverse(
            "case-summary-download",
            kwargs={"case_pk": summary.case_id, "pk": summary.pk},
            request=self.context.get("request"),
        )


class CaseSummaryRequestSerializer(serializers.Serializer):
    date_from = BoundedDateField(required=False, allow_null=True, name="The start date")
    date_to = BoundedDateField(required=False, allow_null=True, name="The end date")


class CaseSummaryListView(APIView):
    @extend_schema(
        request=CaseSummaryRequestSerializer,
        responses={202: CaseSummarySerializer, 400: INVALID, 404: NOT_FOUND},
        summary="Ask for a PDF summary of a case (lead-agency managers)",
    )
    def post(self, request: Request, case_pk) -> Response:
        case = selectors.get_case_for(request.user, case_pk, audit=False)
        if not summaries.can_request_summary(request.user, case):
            raise Http404
        data = CaseSummaryRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            summary = summaries.summary_request(
                acting_user=request.user,
                case=case,
                date_from=data.validated_data.get("date_from"),
                date_to=data.validated_data.get("date_to"),
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except DjangoValidationError as exc:
            raise _as_drf_error(exc) from exc
        body = CaseSummarySerializer(summary, context={"request": request}).data
        return Response(body, status=status.HTTP_202_ACCEPTED)


class CaseSummaryDetailView(APIView):
    @extend_schema(
        responses={200: CaseSummarySerializer, 404: NOT_FOUND},
        summary="A summary's progress (its requester only)",
    )
    def get(self, request: Request, case_pk, pk) -> Response:
        summary = summaries.get_summary_for(request.user, case_pk, pk)
        return Response(CaseSummarySerializer(summary, context={"request": request}).data)


class CaseSummaryDownloadView(APIView):
    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            404: NOT_FOUND,
            409: OpenApiResponse(description="Not ready yet."),
            410: OpenApiResponse(description="Expired: its file has been deleted."),
        },
        summary="Download a ready summary (its requester only; audited with its SHA-256)",
    )
    def get(self, request: Request, case_pk, pk):
        summary = summaries.get_summary_for(request.user, case_pk, pk)
        if summary.status == CaseSummary.Status.READY and not summary.is_downloadable:
            return error_response(status.HTTP_410_GONE, "This summary has expired.")
        if not summary.is_downloadable:
            return error_response(status.HTTP_409_CONFLICT, "Not ready yet.")
        summaries.summary_downloaded(user=request.user, summary=summary)
        stamp = timezone.localtime(summary.ready_at).strftime("%Y%m%d-%H%M")
        response = FileResponse(
            summary.file.open("rb"),
            as_attachment=True,
            filename=f"case-summary-{summary.case.reference}-{stamp}.pdf",
            content_type="application/pdf",
        )
        patch_cache_control(response, no_store=True, private=True)
        return response
