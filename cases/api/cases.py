"""The cases API: case records, chronology, actions."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connection
from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from cases import selectors, services
from cases.api.case_json import cases_json
from cases.api.chronology import CountedPagination, entries_json
from cases.api.common import (
    ID_PARAMETER,
    INVALID,
    NOT_FOUND,
    UUID_PATTERN,
    AgencySerializer,
    CaseNestedViewSet,
    ChildSummarySerializer,
    ForAgencySerializer,
    _as_drf_error,
    _audit_list,
    _etag,
    _version_from,
)
from cases.concurrency import StaleChange
from cases.dfe_codes import AssessmentFactor
from cases.models import (
    Assessment,
    Case,
    CaseAction,
    CaseProfessional,
    ChronologyEntry,
    Involvement,
    InvolvementReason,
)
from cases.selectors.chronology_page import chronology_page_for
from safeguard.audit.services import audit_record
from safeguard.core.api_dates import BoundedDateField
from safeguard.core.api_errors import ErrorSerializer, error_response
from safeguard.core.api_fields import (
    ChoiceDisplayField,
    StrictCharField,
    StrictModelSerializer,
    StrictSlugField,
)
from safeguard.core.dates import DateKind
from safeguard.core.pagination import cursor_pagination

# Cases --------------------------------------------------------------------------


class InvolvementReasonSerializer(StrictModelSerializer):
    reason_display = ChoiceDisplayField(source="get_reason_display", read_only=True)
    since = serializers.DateTimeField(source="added_at", read_only=True)

    class Meta:
        model = InvolvementReason
        fields = ["reason", "reason_display", "source_reference", "since"]


class InvolvementSerializer(StrictModelSerializer):
    """One per agency: ``reason`` is the reason it started with, ``reasons``
    every current one (a referral, each meeting invitation...)."""

    agency = AgencySerializer(read_only=True)
    reason_display = ChoiceDisplayField(source="get_reason_display", read_only=True)
    since = serializers.DateTimeField(source="started_at", read_only=True)
    reasons = InvolvementReasonSerializer(source="current_reasons", many=True, read_only=True)

    class Meta:
        model = Involvement
        fields = ["id", "agency", "level", "reason", "reason_display", "since", "reasons"]


class ProfessionalSerializer(StrictModelSerializer):
    agency = AgencySerializer(read_only=True)
    username = serializers.SlugRelatedField(
        source="user", slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = CaseProfessional
        fields = [
            "id",
            "name",
            "role",
            "agency",
            "phone",
            "email",
            "username",
            "added_at",
            "ended_at",
        ]


class AssessmentSerializer(StrictModelSerializer):
    factors = serializers.ListField(
        child=serializers.ChoiceField(choices=AssessmentFactor.choices),
        read_only=True,
        help_text="DfE CIN census factors identified at the end of the assessment.",
    )

    class Meta:
        model = Assessment
        fields = [
            "id",
            "started_on",
            "due_on",
            "completed_on",
            "authorised_on",
            "internal_review_on",
            "factors",
        ]


class CaseSerializer(StrictModelSerializer):
    """A case at your level of access: ``lead_access`` says whether that is the
    lead agency's level or an involved agency's."""

    child = ChildSummarySerializer(read_only=True)
    lead_agency = AgencySerializer(read_only=True)
    allocated_worker = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    team = serializers.SlugRelatedField(slug_field="name", read_only=True, allow_null=True)
    lead_access = serializers.BooleanField(read_only=True)
    involvements = InvolvementSerializer(source="active_involvements", many=True, read_only=True)
    professionals = ProfessionalSerializer(
        source="active_professionals",
        many=True,
        read_only=True,
        help_text="Named professionals working with the child: every agency on the case sees them.",
    )
    assessments = serializers.SerializerMethodField(
        help_text="Child and family assessments: the lead agency's level only (empty otherwise)."
    )

    class Meta:
        model = Case
        fields = [
            "id",
            "reference",
            "status",
            "is_restricted",
            "child",
            "lead_agency",
            "allocated_worker",
            "team",
            "opened_at",
            "closed_at",
            "lead_access",
            "involvements",
            "professionals",
            "assessments",
        ]

    @extend_schema_field(AssessmentSerializer(many=True))
    def get_assessments(self, case: Case) -> list[dict]:
        if not getattr(case, "lead_access", False):
            return []
        # A list's page carries them (``selectors.read_carried``); one case reads them.
        carried = getattr(case, "lead_assessments", None)
        found = case.assessments.all() if carried is None else carried
        # One serializer for every case of the page, not one per case: each
        # new one builds its fields from the model again (a page of 25 cases
        # did that 25 times, more than its reading took).
        one = self.__dict__.get("_assessment_serializer")
        if one is None:
            one = self._assessment_serializer = AssessmentSerializer(context=self.context)
        return [one.to_representation(assessment) for assessment in found]


class ChronologyEntrySerializer(StrictModelSerializer):
    agency = AgencySerializer(read_only=True, allow_null=True)
    kind_display = ChoiceDisplayField(source="get_kind_display", read_only=True)

    class Meta:
        model = ChronologyEntry
        fields = [
            "id",
            "occurred_at",
            "agency",
            "kind",
            "kind_display",
            "title",
            "body",
            "visibility",
            "source_reference",
        ]


class ChronologyFilterSerializer(serializers.Serializer):
    agency = StrictSlugField(required=False, help_text="Only this agency's entries (slug).")
    kind = serializers.ChoiceField(
        choices=ChronologyEntry.Kind.choices, required=False, help_text="Only entries of this kind."
    )


def _chronology_filters(request: Request) -> dict[str, Any]:
    """The filters asked for, checked (a 400 for a wrong one). With neither
    asked for there is nothing to check: the serializer (its fields copied
    afresh for each request) would answer nothing either."""
    if not any(
        name in request.query_params for name in ChronologyFilterSerializer._declared_fields
    ):
        return {}
    filters = ChronologyFilterSerializer(data=request.query_params)
    filters.is_valid(raise_exception=True)
    return filters.validated_data


class ChronologyEntryCreateSerializer(ForAgencySerializer):
    """The page's ``ChronologyEntryForm``: a day, a line, details."""

    occurred_on = BoundedDateField(name="The date it happened")
    title = StrictCharField(max_length=200, help_text="What happened, in a line.")
    body = StrictCharField(max_length=10000, required=False, allow_blank=True)
    lead_only = serializers.BooleanField(
        required=False, default=False, help_text="Keep it to the lead agency (the lead only)."
    )

    def validate_occurred_on(self, day):
        if day > timezone.localdate():
            raise serializers.ValidationError("The date must be today or in the past")
        return day

    def validate_lead_only(self, value: bool) -> bool:
        if value and not self.lead:
            raise serializers.ValidationError("Only the lead agency keeps entries to itself")
        return value


class RestrictedNoticeSerializer(ErrorSerializer):
    restricted = serializers.BooleanField()
    reference = StrictCharField()
    lead_agency = AgencySerializer()


CASE_NOT_SEEN = {
    403: OpenApiResponse(
        RestrictedNoticeSerializer,
        description="A restricted case you would otherwise see: it exists, and nothing more.",
    ),
    404: NOT_FOUND,
}


class CaseActionSerializer(StrictModelSerializer):
    agency = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    owner = serializers.SlugRelatedField(
        slug_field="username",
        read_only=True,
        allow_null=True,
        help_text="Who owns it; null when it is for anyone at the agency.",
    )

    class Meta:
        model = CaseAction
        fields = [
            "id",
            "description",
            "agency",
            "owner",
            "due_on",
            "status",
            "completed_at",
            "version",
        ]


class StaleActionSerializer(ErrorSerializer):
    current = CaseActionSerializer()


class CaseActionCreateSerializer(serializers.Serializer):
    description = StrictCharField(max_length=2000)
    agency = StrictSlugField()
    owner = StrictCharField(max_length=150, required=False, allow_blank=True)
    due_on = BoundedDateField(kind=DateKind.DUE, name="The due date")


@extend_schema_view(
    list=extend_schema(description="Cases you may see, most recently changed first."),
    retrieve=extend_schema(
        parameters=[ID_PARAMETER],
        responses={200: CaseSerializer, **CASE_NOT_SEEN},
        description="One case, at your level of access.",
    ),
)
class CaseViewSet(viewsets.ReadOnlyModelViewSet):
    """Cases, at the level of access your agency has to each."""

    serializer_class = CaseSerializer
    lookup_value_regex = UUID_PATTERN
    pagination_class = cursor_pagination(*selectors.CASE_ORDER)

    def get_queryset(self):
        return selectors.case_list_with_involvements_for(self.request.user)

    def list(self, request: Request, *args, **kwargs) -> Response:
        user = request.user
        if user.is_authenticated and user.is_active:
            # The page's statement is compiled once per process (as the case
            # list page's is); what each case carries is read for the page.
            few = selectors.visible_case_ids_if_few(user)
            self.keyset_fetch = selectors.case_rows_fetch(
                user, few, selectors.CASE_ORDER, lead_access=True, carried=True
            )
        page = self.paginate_queryset(Case.objects.none())
        # Involvements, professionals and (at the lead's level only)
        # assessments: columns of the page's own statement on PostgreSQL,
        # written as the serializer writes them (cases/api/case_json.py).
        if connection.vendor == "postgresql":
            data = cases_json(page)
        else:
            selectors.read_carried(page)
            data = CaseSerializer(page, many=True, context=self.get_serializer_context()).data
        _audit_list(request, "cases_listed", (c.reference for c in page))
        return self.get_paginated_response(data)

    def _case(self, pk: Any) -> Case | Response:
        """The case, or, for a restricted one the user would otherwise see, the
        notice that it exists: the one deliberate exception to 404 (SPEC 2)."""
        try:
            return selectors.get_case_for(self.request.user, pk)
        except Http404:
            case = selectors.restricted_cases_noticed_by(self.request.user).filter(pk=pk).first()
            if case is None:
                raise
        audit_record(
            user=self.request.user,
            action="view",
            event="restricted_notice_shown",
            obj=case,
            case_id=case.pk,
        )
        # A response, not an exception: the audit row must be committed.
        return error_response(
            status.HTTP_403_FORBIDDEN,
            "This is a restricted record. Only the people named on it can see it.",
            restricted=True,
            reference=case.reference,
            lead_agency=AgencySerializer(case.lead_agency).data,
        )

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        case = self._case(pk)
        if isinstance(case, Response):
            return case
        case.lead_access = selectors.has_lead_access(request.user, case)
        case.active_involvements = list(selectors.involvements_for(request.user, case))
        from cases.selectors.record import professionals_for

        case.active_professionals = list(professionals_for(case))
        return Response(CaseSerializer(case, context=self.get_serializer_context()).data)

    @extend_schema(
        methods=["GET"],
        parameters=[ID_PARAMETER, ChronologyFilterSerializer],
        responses={200: ChronologyEntrySerializer(many=True), 400: INVALID, **CASE_NOT_SEEN},
        description="The case's chronology at your level of access, newest first: involved "
        "agencies see the entries shared with them, the lead agency sees all.",
    )
    @extend_schema(
        methods=["POST"],
        parameters=[ID_PARAMETER],
        request=ChronologyEntryCreateSerializer,
        responses={201: ChronologyEntrySerializer, 400: INVALID, 404: NOT_FOUND},
        description="Record a significant event by hand, in the name of one of your agencies "
        "on the case (404 if none of them takes part in it).",
    )
    # One case's chronology: small, so numbered pages with a cheap count, read
    # with the page (cases.selectors.chronology_page) and written as
    # ChronologyEntrySerializer writes it (cases.api.chronology).
    @action(detail=True, methods=["get", "post"], pagination_class=CountedPagination)
    def chronology(self, request: Request, pk: str | None = None) -> Response:
        if request.method == "POST":
            return self._chronology_add(request, pk)
        chosen = _chronology_filters(request)
        case = self._case(pk)
        if isinstance(case, Response):
            return case

        def fetch(offset: int, limit: int) -> tuple[int, list]:
            return chronology_page_for(
                request.user,
                case,
                offset=offset,
                limit=limit,
                agency=chosen.get("agency"),
                kind=chosen.get("kind"),
            )

        page = self.paginator.paginate_fetched(request, fetch)
        return self.get_paginated_response(entries_json(page))

    def _chronology_add(self, request: Request, pk: str | None) -> Response:
        case = selectors.get_case_for(request.user, pk, audit=False)
        agencies = selectors.note_agencies_for(request.user, case)
        if not agencies.exists():
            raise Http404
        lead = selectors.has_lead_access(request.user, case)
        body = ChronologyEntryCreateSerializer(data=request.data, agencies=agencies, lead=lead)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        try:
            entry = services.chronology_add(
                acting_user=request.user,
                case=case,
                agency=data["agency"],
                occurred_at=services.occurred_at_for_day(data["occurred_on"]),
                title=data["title"],
                body=data.get("body", ""),
                lead_only=data.get("lead_only", False),
            )
        except DjangoValidationError as exc:
            raise _as_drf_error(exc) from exc
        return Response(ChronologyEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


# Children -----------------------------------------------------------------------


class CaseActionViewSet(CaseNestedViewSet):
    """Actions on a case (``cases/{case_id}/actions/``): the lead agency sets
    them; each agency sees and completes its own."""

    # Soonest due first. A case's actions are read through the (case, status)
    # index, so ordering one case's few dozen needs no index of its own.
    pagination_class = cursor_pagination("due_on", "id")
    serializer_class = CaseActionSerializer

    def _case_and_lead(self, case_pk: str | None):
        case = self._case(case_pk)
        return case, selectors.has_lead_access(self.request.user, case)

    @extend_schema(
        responses={200: CaseActionSerializer(many=True), 404: NOT_FOUND},
        description="The case's actions you may see (the lead agency: all of them; another "
        "agency: its own), soonest due first, a page at a time. Audited on the case.",
    )
    def list(self, request: Request, case_pk: str | None = None) -> Response:
        case, lead = self._case_and_lead(case_pk)
        page = self.paginate_queryset(selectors.actions_for(request.user, case, lead=lead))
        selectors.action_list_read(request.user, case, page)
        return self.get_paginated_response(CaseActionSerializer(page, many=True).data)

    @extend_schema(
        request=CaseActionCreateSerializer,
        responses={
            201: CaseActionSerializer,
            400: INVALID,
            404: OpenApiResponse(
                description="No such case, one you may not see, or one whose lead agency "
                "you are not in: the lead agency sets actions (as on the case page)."
            ),
        },
    )
    def create(self, request: Request, case_pk: str | None = None) -> Response:
        case, lead = self._case_and_lead(case_pk)
        # Setting actions is the lead agency's work: for anyone else the route
        # does not exist, as on the page (and as for the lead agency's other work).
        if not lead:
            raise Http404
        body = CaseActionCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        agency = selectors.action_agencies(case).filter(slug=data["agency"]).first()
        if agency is None:
            raise ValidationError({"agency": "Choose an agency involved in the case"})
        owner = None
        if data.get("owner"):
            from django.contrib.auth import get_user_model

            owner = get_user_model().objects.filter(username=data["owner"]).first()
            if owner is None:
                raise ValidationError({"owner": "No such person"})
        try:
            created = services.action_add(
                acting_user=request.user,
                case=case,
                description=data["description"],
                agency=agency,
                owner=owner,
                due_on=data["due_on"],
            )
        except DjangoValidationError as exc:
            raise _as_drf_error(exc) from exc
        return Response(CaseActionSerializer(created).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={
            200: CaseActionSerializer,
            400: INVALID,
            404: NOT_FOUND,
            412: OpenApiResponse(
                StaleActionSerializer,
                description="If-Match named an older version: someone changed the action "
                "since you read it. Nothing was changed; ``current`` is the action now.",
            ),
        },
        parameters=[
            OpenApiParameter(
                "If-Match",
                str,
                OpenApiParameter.HEADER,
                required=False,
                description='the action\'s ETag (``"<id>-v<version>"``, or its ``version`` '
                "from the list): refused (412) if someone changed the action since. Without "
                "it, an action already done is a 400.",
            )
        ],
        description="Mark the action done. Send If-Match so that a change made since you "
        "read it is never silently passed over.",
    )
    @action(detail=True, methods=["post"])
    def done(self, request: Request, case_pk: str | None = None, pk: str | None = None) -> Response:
        case, lead = self._case_and_lead(case_pk)
        row = selectors.actions_for(request.user, case, lead=lead).filter(pk=pk).first()
        if row is None:
            raise Http404
        if_match = request.headers.get("If-Match")
        try:
            row = services.action_complete(
                acting_user=request.user,
                action=row,
                expected_version=_version_from(if_match) if if_match else None,
            )
        except StaleChange as stale:
            return error_response(
                status.HTTP_412_PRECONDITION_FAILED,
                stale.message,
                current=CaseActionSerializer(stale.current).data,
                headers={"ETag": _etag(stale.current)},
            )
        except DjangoValidationError as exc:
            raise _as_drf_error(exc) from exc
        return Response(CaseActionSerializer(row).data, headers={"ETag": _etag(row)})
