"""Oversight of a case (SPEC 2, 3.9), over the selectors its pages use:

    GET /api/v1/cases/{case_pk}/access-log/               who has viewed or changed it
    GET /api/v1/cases/{case_pk}/who-can-see/?username=    why a person can see it

For the lead agency's managers and auditors, who see the case's reference and
who looked at it, never its content; anyone else gets a 404. Each read is
audited, as on the pages.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from cases import selectors
from cases.access import explain_access
from cases.api.common import CaseNestedViewSet
from cases.models import Involvement
from safeguard.audit.models import AuditEvent
from safeguard.audit.services import audit_record
from safeguard.core.api_fields import StrictCharField, StrictModelSerializer
from safeguard.core.pagination import cursor_pagination

OVERSEERS_ONLY = OpenApiResponse(
    description="No such case, or not one of your agency's as its lead (only the lead "
    "agency's managers and auditors oversee a case): indistinguishable."
)


class AccessLogRowSerializer(StrictModelSerializer):
    username = serializers.SerializerMethodField(
        help_text="Who; null for the system itself (a scheduled task)."
    )

    class Meta:
        model = AuditEvent
        fields = ["id", "at", "username", "agency_slugs", "action", "event", "reason"]

    def get_username(self, row: AuditEvent) -> str | None:
        return row.username or None


class AccessReasonSerializer(serializers.Serializer):
    rule = StrictCharField(help_text="lead_agency, involvement, allocation, named, ...")
    detail = StrictCharField()
    since = serializers.DateTimeField(
        allow_null=True, help_text="Since when; null where the rule has no start of its own."
    )
    level = serializers.ChoiceField(
        choices=Involvement.Level.choices, help_text="The level of access it gives."
    )


class AccessExplainedSerializer(serializers.Serializer):
    username = StrictCharField()
    account_found = serializers.BooleanField(help_text="Whether such an account exists.")
    reasons = AccessReasonSerializer(
        many=True, help_text="Every rule that lets them see the case; empty: they cannot."
    )


class WhoCanSeeQuerySerializer(serializers.Serializer):
    username = StrictCharField(max_length=150, help_text="The person asked about.")


class CaseOversightViewSet(CaseNestedViewSet):
    serializer_class = AccessLogRowSerializer
    pagination_class = cursor_pagination("-id")

    @extend_schema(
        responses={200: AccessLogRowSerializer(many=True), 404: OVERSEERS_ONLY},
        description="Every view and change of the case, newest first (lead-agency managers "
        "and auditors). Reading it is itself audited.",
    )
    def access_log(self, request: Request, case_pk: str | None = None) -> Response:
        case = selectors.get_case_for_oversight(request.user, case_pk)
        page = self.paginate_queryset(selectors.access_log_for(request.user, case))
        audit_record(
            user=request.user, action="view", event="access_log_viewed", obj=case, case_id=case.pk
        )
        return self.get_paginated_response(AccessLogRowSerializer(page, many=True).data)

    @extend_schema(
        parameters=[WhoCanSeeQuerySerializer],
        responses={200: AccessExplainedSerializer, 404: OVERSEERS_ONLY},
        description="Which rules let a person see the case, and since when (lead-agency "
        "managers and auditors). Audited.",
    )
    def who_can_see(self, request: Request, case_pk: str | None = None) -> Response:
        case = selectors.get_case_for_oversight(request.user, case_pk)
        query = WhoCanSeeQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        username = query.validated_data["username"].strip()
        person = get_user_model().objects.filter(username=username).first()
        audit_record(
            user=request.user,
            action="view",
            event="access_explained",
            obj=case,
            case_id=case.pk,
            detail={"about": username},
        )
        reasons = explain_access(person, case) if person else []
        body = {
            "username": username,
            "account_found": person is not None,
            "reasons": [
                {"rule": r.rule, "detail": r.detail, "since": r.since, "level": r.level}
                for r in reasons
            ],
        }
        return Response(AccessExplainedSerializer(body).data)
