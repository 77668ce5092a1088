"""``GET /api/v1/search/?q=``: the search box's selector, as JSON."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.api.common import INVALID, NOT_FOUND, AgencySerializer, ChildSummarySerializer
from cases.models import Case
from cases.selectors.search import KIND_LABELS, LIMIT, may_search, search
from safeguard.core.api_fields import ChoiceDisplayField, StrictCharField, StrictModelSerializer


class SearchQuerySerializer(serializers.Serializer):
    q = StrictCharField(
        max_length=200,
        trim_whitespace=True,
        help_text=(
            "A name (with or without a date of birth), a date of birth (12/03/2015, "
            "2015-03-12, 12 March 2015), an NHS number (with or without spaces), a UPN, "
            "a case, child or concern reference, or a postcode."
        ),
    )


class SearchCaseSerializer(StrictModelSerializer):
    class Meta:
        model = Case
        fields = ["id", "reference", "status"]


class SearchPlanSerializer(serializers.Serializer):
    kind = ChoiceDisplayField(source="get_kind_display")
    category = ChoiceDisplayField(source="get_category_display", allow_blank=True)
    start_date = serializers.DateField()


class SearchHitSerializer(serializers.Serializer):
    child = ChildSummarySerializer(allow_null=True)
    age = StrictCharField(help_text='For example "7 years", "5 months", "Not recorded".')
    lead_agency = AgencySerializer(allow_null=True)
    case = SearchCaseSerializer(
        allow_null=True, help_text="The open case, else the latest one you can see."
    )
    plans = SearchPlanSerializer(many=True, help_text="Current plans on cases you can see.")
    reasons = serializers.ListField(child=StrictCharField())
    strength = StrictCharField()
    concern = serializers.SerializerMethodField()

    def get_concern(self, hit) -> dict | None:
        if hit.concern is None:
            return None
        return {"id": str(hit.concern.pk), "reference": hit.concern.reference}


class SearchResultsSerializer(serializers.Serializer):
    query = StrictCharField(source="query.text")
    kind = serializers.ChoiceField(
        choices=list(KIND_LABELS),
        source="query.kind",
        allow_blank=True,
        help_text="How the query was read; empty when it was none of the kinds.",
    )
    more = serializers.BooleanField(
        help_text=f"More than {LIMIT} matched; only the best {LIMIT} are given: narrow the search."
    )
    results = SearchHitSerializer(many=True, source="hits")


class SearchView(APIView):
    @extend_schema(
        operation_id="search",
        summary="Search for a child",
        description=(
            "The header's search box. Results are the children you may see (a restricted "
            "case you are not named on, an ended involvement or another authority's child "
            f"is never found, nor counted), best first, at most {LIMIT}. Every search is "
            "audited: what was searched, not what was found."
        ),
        parameters=[SearchQuerySerializer],
        responses={200: SearchResultsSerializer, 400: INVALID, 404: NOT_FOUND},
    )
    def get(self, request: Request) -> Response:
        if not may_search(request.user):
            raise Http404
        params = SearchQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        results = search(request.user, params.validated_data["q"], where="api")
        return Response(SearchResultsSerializer(results).data)
