"""Merging a duplicate child record into a case's child, and undoing it, over
the services the case page uses:

    GET  /api/v1/cases/{case_pk}/child/merges/              merges into this child
    POST /api/v1/cases/{case_pk}/child/merges/              merge a duplicate in
    POST /api/v1/cases/{case_pk}/child/merges/{id}/undo/    undo a merge

For the lead agency's managers who see the case; for anyone else a 404, as on
the page. Both changes are audited by the services.
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
from cases.api.common import INVALID, CaseNestedViewSet, _as_drf_error
from cases.models import Case, ChildMerge
from safeguard.core.api_fields import StrictCharField, StrictModelSerializer
from safeguard.core.pagination import cursor_pagination

MANAGERS_ONLY = OpenApiResponse(
    description="No such case or merge, one you may not see, or a case whose child you may "
    "not merge (only the lead agency's managers may): indistinguishable."
)


class ChildMergeSerializer(StrictModelSerializer):
    kept = serializers.SlugRelatedField(slug_field="reference", read_only=True)
    merged = serializers.SlugRelatedField(slug_field="reference", read_only=True)
    merged_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    undone_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = ChildMerge
        fields = [
            "id",
            "kept",
            "merged",
            "reason",
            "merged_by",
            "merged_at",
            "undone_by",
            "undone_at",
        ]
        extra_kwargs = {"undone_at": {"help_text": "When it was undone; null while it stands."}}


class ChildMergeRequestSerializer(serializers.Serializer):
    """The page's ``ChildMergeForm``."""

    reference = StrictCharField(
        max_length=20, help_text="The duplicate record's child reference (CHI-...)."
    )
    reason = StrictCharField(max_length=5000, help_text="Why they are the same child.")


class ChildMergeViewSet(CaseNestedViewSet):
    serializer_class = ChildMergeSerializer
    pagination_class = cursor_pagination("-merged_at", "-id")

    def _managed_case(self, case_pk: str | None) -> Case:
        case = self._case(case_pk)
        if not selectors.can_allocate(self.request.user, case):
            raise Http404
        return case

    @extend_schema(
        responses={200: ChildMergeSerializer(many=True), 404: MANAGERS_ONLY},
        description="Duplicate records merged into this case's child, newest first.",
    )
    def list(self, request: Request, case_pk: str | None = None) -> Response:
        case = self._managed_case(case_pk)
        merges = case.child.merges_kept.select_related("kept", "merged", "merged_by", "undone_by")
        page = self.paginate_queryset(merges)
        return self.get_paginated_response(ChildMergeSerializer(page, many=True).data)

    @extend_schema(
        request=ChildMergeRequestSerializer,
        responses={201: ChildMergeSerializer, 400: INVALID, 404: MANAGERS_ONLY},
        description="Merge a duplicate record of the same child (held by the same authority) "
        "into this case's child: its cases, concerns and household move here.",
    )
    def create(self, request: Request, case_pk: str | None = None) -> Response:
        case = self._managed_case(case_pk)
        body = ChildMergeRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        duplicate = (
            selectors.children_at_front_door(request.user, case.lead_agency)
            .filter(reference__iexact=body.validated_data["reference"].strip())
            .first()
        )
        if duplicate is None:
            raise ValidationError({"reference": ["No record with that reference"]})
        try:
            merge = services.child_merge(
                acting_user=request.user,
                kept=case.child,
                merged=duplicate,
                reason=body.validated_data["reason"],
            )
        except DjangoValidationError as exc:
            raise _as_drf_error(exc) from exc
        return Response(ChildMergeSerializer(merge).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={200: ChildMergeSerializer, 400: INVALID, 404: MANAGERS_ONLY},
        description="Undo a merge: what moved goes back. 400 if it has already been undone.",
    )
    @action(detail=True, methods=["post"])
    def undo(self, request: Request, case_pk: str | None = None, pk: str | None = None):
        case = self._managed_case(case_pk)
        merge = case.child.merges_kept.filter(pk=pk).first()
        if merge is None:
            raise Http404
        try:
            merge = services.child_merge_undo(acting_user=request.user, merge=merge)
        except DjangoValidationError as exc:
            raise _as_drf_error(exc) from exc
        return Response(ChildMergeSerializer(merge).data)
