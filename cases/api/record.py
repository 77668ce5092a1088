"""The case record's notes and documents, over the services and selectors the
case page uses:

    GET  /api/v1/cases/{case_pk}/notes/                         notes you may read
    POST /api/v1/cases/{case_pk}/notes/                         add one
    GET  /api/v1/cases/{case_pk}/documents/                     documents you may read
    POST /api/v1/cases/{case_pk}/documents/                     upload one (multipart)
    GET  /api/v1/cases/{case_pk}/documents/{id}/download/       the file, audited

Who may read what follows the note's or document's sensitivity (SPEC 2); who
may write is anyone whose agency takes part in the case, in that agency's name,
as on the page. Every list read is audited on the case.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from agencies.models import Agency
from cases import selectors, services
from cases.api.common import (
    INVALID,
    NOT_FOUND,
    AgencySerializer,
    CaseNestedViewSet,
    WrittenForAgencySerializer,
    _as_drf_error,
)
from cases.models import Case, CaseDocument, CaseNote
from safeguard.core.api_fields import StrictCharField, StrictModelSerializer
from safeguard.core.pagination import cursor_pagination

NO_WRITING_AGENCY = OpenApiResponse(
    description="No such case, one you may not see, or one none of your agencies takes "
    "part in (so you cannot write on it): the three are indistinguishable."
)


class CaseNoteSerializer(StrictModelSerializer):
    agency = AgencySerializer(read_only=True)
    author = serializers.SlugRelatedField(
        slug_field="username",
        read_only=True,
        allow_null=True,
        help_text="Who wrote it; null once their account has been removed.",
    )

    class Meta:
        model = CaseNote
        fields = ["id", "agency", "author", "text", "sensitivity", "created_at"]


class CaseNoteCreateSerializer(WrittenForAgencySerializer):
    text = StrictCharField(max_length=20000)


class CaseDocumentSerializer(StrictModelSerializer):
    agency = AgencySerializer(read_only=True)
    uploaded_by = serializers.SlugRelatedField(
        slug_field="username",
        read_only=True,
        allow_null=True,
        help_text="Who uploaded it; null once their account has been removed.",
    )
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = CaseDocument
        fields = [
            "id",
            "title",
            "agency",
            "uploaded_by",
            "content_type",
            "size",
            "sha256",
            "sensitivity",
            "uploaded_at",
            "download_url",
        ]

    def get_download_url(self, document: CaseDocument) -> str:
        return reverse(
            "case-document-download", kwargs={"case_pk": document.case_id, "pk": document.pk}
        )


class CaseDocumentUploadSerializer(WrittenForAgencySerializer):
    title = StrictCharField(max_length=200)
    upload = serializers.FileField(
        help_text="PDF, PNG or JPEG (the type is read from the content, not the name), "
        "no larger than the configured limit (10 MB by default)."
    )


def _writers(request: Request, case: Case) -> tuple[QuerySet[Agency], bool]:
    """The user's agencies that may write on the case (none: a 404, as on the page)."""
    agencies = selectors.note_agencies_for(request.user, case)
    if not agencies.exists():
        raise Http404
    return agencies, selectors.has_lead_access(request.user, case)


class CaseNoteViewSet(CaseNestedViewSet):
    """Notes on a case, at your level of access."""

    pagination_class = cursor_pagination("-created_at", "-id")
    serializer_class = CaseNoteSerializer

    @extend_schema(
        responses={200: CaseNoteSerializer(many=True), 404: NOT_FOUND},
        description="The case's notes you may read, newest first: shared notes, your own "
        "agency's internal ones, and (lead agency) restricted ones. Audited on the case.",
    )
    def list(self, request: Request, case_pk: str | None = None) -> Response:
        case = self._case(case_pk)
        lead = selectors.has_lead_access(request.user, case)
        page = self.paginate_queryset(selectors.notes_for(request.user, case, lead=lead))
        selectors.case_list_read(request.user, case, event="case_notes_listed", rows=page)
        return self.get_paginated_response(CaseNoteSerializer(page, many=True).data)

    @extend_schema(
        request=CaseNoteCreateSerializer,
        responses={201: CaseNoteSerializer, 400: INVALID, 404: NO_WRITING_AGENCY},
        description="Add a note in the name of one of your agencies on the case.",
    )
    def create(self, request: Request, case_pk: str | None = None) -> Response:
        case = self._case(case_pk)
        agencies, lead = _writers(request, case)
        body = CaseNoteCreateSerializer(data=request.data, agencies=agencies, lead=lead)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        try:
            note = services.case_note_add(
                acting_user=request.user,
                case=case,
                agency=data["agency"],
                text=data["text"],
                sensitivity=data["sensitivity"],
            )
        except DjangoValidationError as exc:
            raise _as_drf_error(exc) from exc
        return Response(CaseNoteSerializer(note).data, status=status.HTTP_201_CREATED)


class CaseDocumentViewSet(CaseNestedViewSet):
    """Documents on a case: listed, uploaded, and downloaded (audited)."""

    pagination_class = cursor_pagination("-uploaded_at", "-id")
    serializer_class = CaseDocumentSerializer

    # Uploads are multipart only: the file is streamed, never base64 in JSON.
    parser_classes = [MultiPartParser]

    @extend_schema(
        responses={200: CaseDocumentSerializer(many=True), 404: NOT_FOUND},
        description="The case's documents you may read, newest first (as for notes). "
        "Audited on the case; each download is audited again.",
    )
    def list(self, request: Request, case_pk: str | None = None) -> Response:
        case = self._case(case_pk)
        lead = selectors.has_lead_access(request.user, case)
        page = self.paginate_queryset(selectors.documents_for(request.user, case, lead=lead))
        selectors.case_list_read(request.user, case, event="case_documents_listed", rows=page)
        return self.get_paginated_response(CaseDocumentSerializer(page, many=True).data)

    @extend_schema(
        request={"multipart/form-data": CaseDocumentUploadSerializer},
        responses={
            201: CaseDocumentSerializer,
            400: INVALID,
            404: NO_WRITING_AGENCY,
            415: OpenApiResponse(description="The body is not multipart/form-data."),
        },
        description="Upload a document (multipart/form-data): the same checks as the page "
        "(type sniffed from the content, size limit). The stored name is never yours.",
    )
    def create(self, request: Request, case_pk: str | None = None) -> Response:
        case = self._case(case_pk)
        agencies, lead = _writers(request, case)
        body = CaseDocumentUploadSerializer(data=request.data, agencies=agencies, lead=lead)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        try:
            document = services.document_upload(
                acting_user=request.user,
                case=case,
                agency=data["agency"],
                title=data["title"],
                upload=data["upload"],
                sensitivity=data["sensitivity"],
            )
        except DjangoValidationError as exc:
            raise _as_drf_error(exc) from exc
        return Response(CaseDocumentSerializer(document).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            (200, "image/png"): OpenApiTypes.BINARY,
            (200, "image/jpeg"): OpenApiTypes.BINARY,
            404: NOT_FOUND,
        },
        description="The file, as an attachment, in the type it was sniffed as on upload. "
        "Every download is audited on the case, whatever asked for it.",
    )
    @action(detail=True, methods=["get"])
    def download(self, request: Request, case_pk: str | None = None, pk: str | None = None):
        document = selectors.get_document_for(request.user, case_pk, pk)  # audited
        response = FileResponse(
            document.file.open("rb"),
            as_attachment=True,
            filename=f"{document.title}{services.ALLOWED_TYPES[document.content_type]}",
            content_type=document.content_type,
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response
