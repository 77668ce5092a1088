"""The CIN census API (SPEC 3.11): everything the /census/ pages do, over the
same selectors and services, for the same people (a lead agency's managers
and auditors); for anyone else every route is a 404.

    GET  /api/v1/census/returns/                          the returns (cursor pages)
    POST /api/v1/census/returns/                          ask for one: 202 and its status URL
    GET  /api/v1/census/returns/{return_id}/              a return and what its checks found
    GET  /api/v1/census/returns/{return_id}/status/       its progress (poll this)
    GET  /api/v1/census/returns/{return_id}/download/     the XML, audited with its SHA-256

Building is asynchronous, as on the pages: the request is queued in one
transaction with its audit row and a worker builds it. The download is
refused (409) until the return is built and valid against the CIN census
schema, exactly when the page offers no download.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.cache import patch_cache_control
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from agencies.models import Agency
from cases.api import INVALID, NOT_FOUND, _as_drf_error
from census import selectors, services
from census.download import xml_download
from census.models import CensusReturn
from census.serializers import (
    CensusRequestSerializer,
    CensusReturnSerializer,
    CensusStatusSerializer,
)
from safeguard.core.api_errors import error_response
from safeguard.core.pagination import cursor_pagination

AGENCY_PARAMETER = OpenApiParameter(
    "agency",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    required=False,
    description="Only this lead agency's returns (its slug); all of yours when left out.",
)
NOT_DOWNLOADABLE = OpenApiResponse(
    description="Not offered for download: still queued or being built, failed, or built "
    "but not valid against the CIN census schema (see the return's schema_errors)."
)


def _census_agencies(request: Request):
    agencies = selectors.census_agencies_for(request.user)
    if not agencies.exists():
        # As on the pages: for anyone who produces no return, none of this exists.
        raise Http404("No such page")
    return agencies


def _agency_for(request: Request, slug: str | None) -> Agency:
    agencies = _census_agencies(request).order_by("name")
    if not slug:
        return agencies.first()
    agency = agencies.filter(slug=slug).first()
    if agency is None:
        raise ValidationError({"agency": ["Choose one of your lead agencies"]})
    return agency


def refusal_detail(census_return: CensusReturn) -> str:
    if census_return.status in (CensusReturn.Status.QUEUED, CensusReturn.Status.BUILDING):
        return (
            "The return is still being built: download it when its status is ready "
            f"({census_return.progress}% done)."
        )
    if census_return.status == CensusReturn.Status.FAILED:
        return f"The return could not be built: {census_return.failure_reason}"
    return (
        "The return was built but is not valid against the CIN census schema, so it is "
        "not offered for download: see its schema_errors."
    )


class CensusReturnViewSet(viewsets.GenericViewSet):
    """CIN census returns: ask for one, follow it being built, read its checks,
    download the XML."""

    serializer_class = CensusReturnSerializer
    pagination_class = cursor_pagination("-created_at", "-id")
    lookup_url_kwarg = "return_id"

    def get_queryset(self):
        returns = selectors.returns_for(self.request.user)
        slug = self.request.query_params.get("agency")
        if slug:
            returns = returns.filter(agency__slug=slug)
        return returns

    def _return(self, return_id) -> CensusReturn:
        return selectors.get_return_for(self.request.user, return_id)

    @extend_schema(
        parameters=[AGENCY_PARAMETER],
        responses={200: CensusReturnSerializer(many=True), 404: NOT_FOUND},
        summary="The CIN census returns of your lead agencies, newest first",
    )
    def list(self, request: Request) -> Response:
        _census_agencies(request)
        page = self.paginate_queryset(self.get_queryset())
        body = CensusReturnSerializer(page, many=True, context={"request": request}).data
        return self.get_paginated_response(body)

    @extend_schema(
        request=CensusRequestSerializer,
        responses={
            202: OpenApiResponse(
                CensusStatusSerializer,
                description="Queued (or the same return already being built for you): poll "
                "status_url (also in the Location header) until finished.",
            ),
            400: INVALID,
            404: NOT_FOUND,
        },
        summary="Ask for a CIN census return; it is built in the background",
    )
    def create(self, request: Request) -> Response:
        _census_agencies(request)
        body = CensusRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        agency = _agency_for(request, data.get("agency"))
        try:
            census_return = services.census_request(
                acting_user=request.user, agency=agency, year=data["year"], la_code=data["la_code"]
            )
        except PermissionDenied as exc:
            raise Http404("No such page") from exc
        except DjangoValidationError as exc:
            raise _as_drf_error(exc) from exc
        state = CensusStatusSerializer(census_return, context={"request": request}).data
        return Response(
            state, status=status.HTTP_202_ACCEPTED, headers={"Location": state["status_url"]}
        )

    @extend_schema(
        responses={200: CensusReturnSerializer, 404: NOT_FOUND},
        summary="A return: its state and what the schema and the DfE's rules found",
    )
    def retrieve(self, request: Request, return_id) -> Response:
        census_return = self._return(return_id)
        return Response(CensusReturnSerializer(census_return, context={"request": request}).data)

    @extend_schema(
        responses={200: CensusStatusSerializer, 404: NOT_FOUND},
        summary="A return's progress (what a client polls; no case data)",
    )
    def progress(self, request: Request, return_id) -> Response:
        census_return = self._return(return_id)
        response = Response(
            CensusStatusSerializer(census_return, context={"request": request}).data
        )
        patch_cache_control(response, no_store=True, private=True)
        return response

    @extend_schema(
        responses={
            (200, "application/xml"): OpenApiTypes.BINARY,
            404: NOT_FOUND,
            409: NOT_DOWNLOADABLE,
        },
        summary="Download a built, schema-valid return's XML (audited with its SHA-256)",
    )
    def download(self, request: Request, return_id):
        census_return = self._return(return_id)
        if not census_return.is_downloadable:
            return error_response(
                status.HTTP_409_CONFLICT,
                refusal_detail(census_return),
                status=census_return.status,
            )
        return xml_download(request.user, census_return)
