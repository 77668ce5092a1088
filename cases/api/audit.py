"""The audit search (information governance) over the API, as the page has it:

    GET /api/v1/audit/?username=&reference=&event=&agency=&date_from=&date_to=&sort=

An auditor's rows only (``audit_rows_for``: about their authority's cases, or
made by members of their agencies); anyone else gets a 404, as on the page.
The same filters (``AuditFilter``, with ISO dates where the page has GOV.UK
date parts), keyset cursor pages on the primary key (ten million rows are
never counted), and the search itself audited as the page audits it.
"""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from cases import selectors
from cases.forms.filters import AuditFilter
from safeguard.audit.models import AuditEvent
from safeguard.audit.services import audit_record
from safeguard.core.api_fields import (
    StrictCharField,
    StrictIPAddressField,
    StrictModelSerializer,
    StrictSlugField,
)
from safeguard.core.pagination import cursor_pagination

AUDITORS_ONLY = OpenApiResponse(
    description="Only an agency's auditors search the audit log; anyone else: not found."
)
SORTS = {"newest": cursor_pagination("-id"), "oldest": cursor_pagination("id")}


class AuditApiFilter(AuditFilter):
    """The page's filters, with the dates as ISO dates."""

    date_from = django_filters.DateFilter(field_name="at", method="_from")
    date_to = django_filters.DateFilter(field_name="at", method="_to")


class AuditQuerySerializer(serializers.Serializer):
    username = StrictCharField(
        required=False, max_length=150, help_text="Part of the username of who acted."
    )
    reference = StrictCharField(
        required=False, max_length=40, help_text="The record's reference, e.g. CAS-2026-000012."
    )
    event = StrictCharField(required=False, max_length=80, help_text="Part of the event.")
    agency = StrictSlugField(
        required=False, help_text="The agency of the person who acted (its slug)."
    )
    date_from = serializers.DateField(required=False, help_text="On or after this day.")
    date_to = serializers.DateField(required=False, help_text="On or before this day.")
    sort = serializers.ChoiceField(
        choices=list(SORTS), required=False, help_text="newest (the default) or oldest first."
    )


class AuditRowSerializer(StrictModelSerializer):
    username = serializers.SerializerMethodField(
        help_text="Who; null for the system itself (a scheduled task)."
    )
    object_reference = StrictCharField(help_text="The record's reference; empty if none.")
    ip_address = StrictIPAddressField(allow_null=True, help_text="Null when not known.")

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "at",
            "username",
            "agency_slugs",
            "action",
            "event",
            "object_reference",
            "ip_address",
            "reason",
        ]

    def get_username(self, row: AuditEvent) -> str | None:
        return row.username or None


class AuditSearchViewSet(viewsets.GenericViewSet):
    serializer_class = AuditRowSerializer
    pagination_class = SORTS["newest"]  # or oldest first: chosen per request

    @extend_schema(
        parameters=[AuditQuerySerializer],
        responses={200: AuditRowSerializer(many=True), 404: AUDITORS_ONLY},
        description="Search the audit log (auditors): who did what to which record, from "
        "where and why, newest first. The search is itself audited.",
    )
    def list(self, request: Request) -> Response:
        search = selectors.audit_search_for(request.user)  # 404 for anyone but an auditor
        # A plain dict: from a QueryDict DRF reads ``?reference=`` as not sent,
        # where the schema says a parameter given may not be empty.
        query = AuditQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        given = {k: str(v) for k, v in query.validated_data.items() if k != "sort"}
        filters = AuditApiFilter(given, queryset=AuditEvent.objects.none())
        if not filters.form.is_valid():
            raise ValidationError(filters.form.errors)
        self.pagination_class = SORTS[query.validated_data.get("sort", "newest")]
        narrowed = filters.narrow(search.rows)
        # How the pagination reads the page (KeysetCursorPagination asks the view).
        self.keyset_fetch = search.reader(narrowed)
        page = self.paginate_queryset(narrowed)
        audit_record(user=request.user, action="list", event="audit_searched", detail=given)
        return self.get_paginated_response(AuditRowSerializer(page, many=True).data)
