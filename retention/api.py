"""The retention API (SPEC 3.9): everything the /retention/ pages do, over the
same selectors and services, for the same people (a lead agency's information
governance officers, the auditor role); for anyone else every route is a 404.

    GET  /api/v1/retention/reviews/                       the queue (cursor pages)
    GET  /api/v1/retention/reviews/{review_id}/           one record's review (audited)
    POST /api/v1/retention/reviews/{review_id}/extend/    keep it longer, with a reason
    POST /api/v1/retention/reviews/{review_id}/hold/      place a legal hold on it
    POST /api/v1/retention/reviews/{review_id}/destroy/   destroy it (confirm: true) -> certificate
    GET  /api/v1/retention/holds/                         standing holds (cursor pages)
    POST /api/v1/retention/holds/                         hold a record by its reference
    GET  /api/v1/retention/holds/{hold_id}/               one standing hold (audited)
    POST /api/v1/retention/holds/{hold_id}/lift/          lift it, with a reason
    GET  /api/v1/retention/certificates/                  destruction certificates
    GET  /api/v1/retention/certificates/{certificate_id}/ one certificate (audited)
    GET  /api/v1/retention/schedule/                      the council's retention schedule

A refusal about what was sent (a reason too short, a date in the past) is a
400 naming the field; a refusal about the record's state (a legal hold stands,
it is not due, it was destroyed meanwhile, the hold was lifted meanwhile) is a
409 and changes nothing, as the service's transaction is rolled back.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.models import Agency
from cases.api import INVALID, NOT_FOUND, _as_drf_error
from retention import selectors, services
from retention.schedule import schedule_for
from retention.serializers import (
    CertificateSerializer,
    DestroyRequestSerializer,
    ExtendRequestSerializer,
    ExtensionSerializer,
    HoldByReferenceRequestSerializer,
    HoldRequestSerializer,
    HoldSerializer,
    LiftRequestSerializer,
    ReviewDetailSerializer,
    ReviewSerializer,
    RuleSerializer,
)
from safeguard.audit.services import audit_record
from safeguard.core.pagination import cursor_pagination

AGENCY_PARAMETER = OpenApiParameter(
    "agency",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    required=False,
    description="The slug of one of your lead agencies (the first by name when left out).",
)
STATE_CONFLICT = OpenApiResponse(
    description="The record's state refuses this (a legal hold stands, it is not due, it "
    "was destroyed or the hold lifted meanwhile): nothing was changed."
)


class StateConflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The record's state does not allow this."
    default_code = "conflict"


def _refusal(exc: DjangoValidationError) -> APIException:
    """A service's refusal: by field, what was sent (400); else the record's state (409)."""
    if hasattr(exc, "error_dict"):
        return _as_drf_error(exc)
    return StateConflict(" ".join(exc.messages))


def _agency(request: Request) -> Agency:
    """The lead agency asked for (by slug), or the user's first; 404 for anyone
    who reviews no agency's records, as on the pages."""
    slug = request.query_params.get("agency")
    agencies = selectors.retention_agencies_for(request.user).order_by("name")
    agency = agencies.filter(slug=slug).first() if slug else agencies.first()
    if agency is None:
        raise Http404("No such page")
    return agency


def _run(action):
    try:
        return action()
    except PermissionDenied as exc:
        raise Http404("No such record") from exc
    except DjangoValidationError as exc:
        raise _refusal(exc) from exc


def _review_holds(request: Request, review) -> list:
    # The page audits every view of a record's identity.
    audit_record(
        user=request.user,
        action="view",
        event="retention_review_viewed",
        obj=review.child or review.concern,
    )
    return selectors.holds_on_review(review)


class RetentionReviewViewSet(viewsets.GenericViewSet):
    """The queue of records past their retention date, and the decisions on each."""

    serializer_class = ReviewSerializer
    pagination_class = cursor_pagination("due_on", "id")
    lookup_url_kwarg = "review_id"

    def get_queryset(self):
        return selectors.reviews_for(self.request.user, _agency(self.request))

    @extend_schema(
        parameters=[AGENCY_PARAMETER],
        responses={200: ReviewSerializer(many=True), 404: NOT_FOUND},
        summary="The records past their retention date, oldest date first (officers)",
    )
    def list(self, request: Request) -> Response:
        agency = _agency(request)
        page = self.paginate_queryset(selectors.reviews_for(request.user, agency))
        audit_record(
            user=request.user,
            action="list",
            event="retention_queue_viewed",
            detail={"agency": agency.slug, "rows": len(page)},
        )
        return self.get_paginated_response(ReviewSerializer(page, many=True).data)

    @extend_schema(
        responses={200: ReviewDetailSerializer, 404: NOT_FOUND},
        summary="One record's review: what it holds and the holds on it (audited)",
    )
    def retrieve(self, request: Request, review_id) -> Response:
        review = selectors.get_review_for(request.user, review_id)
        holds = _review_holds(request, review)
        return Response(ReviewDetailSerializer(review, context={"holds": holds}).data)

    @extend_schema(
        request=ExtendRequestSerializer,
        responses={201: ExtensionSerializer, 400: INVALID, 404: NOT_FOUND, 409: STATE_CONFLICT},
        summary="Keep a record past its date, to a new date, for a reason",
    )
    def extend(self, request: Request, review_id) -> Response:
        review = selectors.get_review_for(request.user, review_id)
        body = ExtendRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        extension = _run(
            lambda: services.retention_extend(
                acting_user=request.user,
                review=review,
                retain_until=body.validated_data["retain_until"],
                reason=body.validated_data["reason"],
            )
        )
        return Response(ExtensionSerializer(extension).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=HoldRequestSerializer,
        responses={201: HoldSerializer, 400: INVALID, 404: NOT_FOUND, 409: STATE_CONFLICT},
        summary="Place a legal hold on a record under review: it cannot be destroyed",
    )
    def hold(self, request: Request, review_id) -> Response:
        review = selectors.get_review_for(request.user, review_id)
        body = HoldRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        hold = _run(
            lambda: services.legal_hold_place(
                acting_user=request.user,
                target=review.child or review.concern,
                reason=body.validated_data["reason"],
            )
        )
        return Response(HoldSerializer(hold).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=DestroyRequestSerializer,
        responses={
            201: CertificateSerializer,
            400: INVALID,
            404: NOT_FOUND,
            409: OpenApiResponse(
                description="Not destroyed: a legal hold stands, the record is no longer due "
                "(a case reopened, a new concern, an extension), or it was destroyed meanwhile."
            ),
        },
        summary="Destroy a record past its date, for good; answers its certificate",
    )
    def destroy_record(self, request: Request, review_id) -> Response:
        review = selectors.get_review_for(request.user, review_id)
        body = DestroyRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        certificate = _run(
            lambda: services.retention_destroy(acting_user=request.user, review=review)
        )
        return Response(CertificateSerializer(certificate).data, status=status.HTTP_201_CREATED)


class LegalHoldViewSet(viewsets.GenericViewSet):
    """Legal holds: they stop a record's destruction until lifted."""

    serializer_class = HoldSerializer
    pagination_class = cursor_pagination("-placed_at", "-id")
    lookup_url_kwarg = "hold_id"

    def get_queryset(self):
        return selectors.active_holds_for(self.request.user, _agency(self.request))

    def _standing(self, hold_id):
        hold = selectors.get_hold_for(self.request.user, hold_id)
        if hold.lifted_at is not None:
            # As on the pages: a lifted hold has nothing left to do.
            raise Http404("No such hold")
        return hold

    @extend_schema(
        parameters=[AGENCY_PARAMETER],
        responses={200: HoldSerializer(many=True), 404: NOT_FOUND},
        summary="The standing legal holds, latest first (officers)",
    )
    def list(self, request: Request) -> Response:
        agency = _agency(request)
        page = self.paginate_queryset(selectors.active_holds_for(request.user, agency))
        audit_record(
            user=request.user,
            action="list",
            event="legal_holds_viewed",
            detail={"agency": agency.slug, "rows": len(page)},
        )
        return self.get_paginated_response(HoldSerializer(page, many=True).data)

    @extend_schema(
        parameters=[AGENCY_PARAMETER],
        request=HoldByReferenceRequestSerializer,
        responses={201: HoldSerializer, 400: INVALID, 404: NOT_FOUND, 409: STATE_CONFLICT},
        summary="Place a legal hold on a child, case or concern by its reference",
    )
    def create(self, request: Request) -> Response:
        agency = _agency(request)
        body = HoldByReferenceRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        target = selectors.find_record(agency, body.validated_data["reference"])
        if target is None:
            raise ValidationError(
                {"reference": ["No child, case or concern of yours has this reference"]}
            )
        hold = _run(
            lambda: services.legal_hold_place(
                acting_user=request.user, target=target, reason=body.validated_data["reason"]
            )
        )
        return Response(HoldSerializer(hold).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        responses={200: HoldSerializer, 404: NOT_FOUND},
        summary="One standing legal hold (audited); a lifted one is a 404",
    )
    def retrieve(self, request: Request, hold_id) -> Response:
        hold = self._standing(hold_id)
        audit_record(user=request.user, action="view", event="legal_hold_viewed", obj=hold)
        return Response(HoldSerializer(hold).data)

    @extend_schema(
        request=LiftRequestSerializer,
        responses={200: HoldSerializer, 400: INVALID, 404: NOT_FOUND, 409: STATE_CONFLICT},
        summary="Lift a legal hold, for a reason",
    )
    def lift(self, request: Request, hold_id) -> Response:
        hold = self._standing(hold_id)
        body = LiftRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        hold = _run(
            lambda: services.legal_hold_lift(
                acting_user=request.user, hold=hold, reason=body.validated_data["lift_reason"]
            )
        )
        return Response(HoldSerializer(hold).data)


class CertificateViewSet(viewsets.GenericViewSet):
    """Destruction certificates: what is left of each destroyed record."""

    serializer_class = CertificateSerializer
    pagination_class = cursor_pagination("-destroyed_at", "-id")
    lookup_url_kwarg = "certificate_id"

    def get_queryset(self):
        return selectors.certificates_queryset_for(self.request.user, _agency(self.request))

    @extend_schema(
        parameters=[AGENCY_PARAMETER],
        responses={200: CertificateSerializer(many=True), 404: NOT_FOUND},
        summary="Destruction certificates, latest first (officers)",
    )
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(CertificateSerializer(page, many=True).data)

    @extend_schema(
        responses={200: CertificateSerializer, 404: NOT_FOUND},
        summary="One destruction certificate (audited)",
    )
    def retrieve(self, request: Request, certificate_id) -> Response:
        certificate = selectors.get_certificate_for(request.user, certificate_id)
        audit_record(
            user=request.user,
            action="view",
            event="destruction_certificate_viewed",
            obj=certificate,
        )
        return Response(CertificateSerializer(certificate).data)


class RetentionScheduleView(APIView):
    @extend_schema(
        parameters=[AGENCY_PARAMETER],
        responses={200: RuleSerializer(many=True), 404: NOT_FOUND},
        summary="How long the council keeps each kind of record, and on whose authority",
    )
    def get(self, request: Request) -> Response:
        rules = schedule_for(_agency(request).slug).values()
        return Response(RuleSerializer(rules, many=True).data)
