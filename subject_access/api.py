"""API for subject access requests (SPEC 3.9), under ``/api/v1/subject-access/``:
every step the pages offer, over the same selectors, services and audit rows.

    GET    /                                         the requests (cursor pages)
    GET    /children/?q=                             find the child (audited)
    GET    /children/{child_id}/                     the child and household adults (audited)
    POST   /children/{child_id}/requests/            log a request (201)
    GET    /{request_id}/                            the request, its bundles and trail
    POST   /{request_id}/identity/                   record the identity check
    POST   /{request_id}/extend/                     extend the deadline
    POST   /{request_id}/gather/                     gather what is held
    GET    /{request_id}/items/                      items as they will be sent (audited)
    GET    /{request_id}/items/{item_id}/            one item, unredacted (audited)
    POST   /{request_id}/items/{item_id}/redactions/ redact in it (201)
    DELETE /{request_id}/redactions/{redaction_id}/  remove a redaction (204)
    POST   /{request_id}/bundles/                    produce the bundle (202, a worker renders)
    GET    /{request_id}/bundles/{bundle_id}/        its progress
    GET    /{request_id}/bundles/{bundle_id}/pdf/    the redacted PDF (audited)
    GET    /{request_id}/bundles/{bundle_id}/export/ the unredacted JSON (audited)
    POST   /{request_id}/sent/                       record what was sent

Only the authority's information governance officers (auditors) reach any of
it; for everyone else every operation is a 404, as on the pages. A service's
refusal about a field is a 400 naming it; one about the request's state (already
answered, identity not checked, already redacted, nothing gathered, no bundle
ready) is a 409, and nothing was changed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse, Http404
from django.utils.cache import patch_cache_control
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from cases.api import INVALID, NOT_FOUND, _as_drf_error
from safeguard.audit.services import audit_record
from safeguard.core.api_errors import error_response
from safeguard.core.pagination import cursor_pagination
from subject_access import selectors, services
from subject_access.models import SubjectAccessRedaction, SubjectAccessRequest
from subject_access.serializers import (
    BundleSerializer,
    ChildFoundSerializer,
    ChildHouseholdSerializer,
    ChildSearchSerializer,
    ExtendSerializer,
    GatheredSerializer,
    IdentitySerializer,
    ItemPreviewSerializer,
    ItemSerializer,
    LogRequestSerializer,
    RedactionSerializer,
    RedactSerializer,
    SentSerializer,
    SubjectAccessRequestDetailSerializer,
    SubjectAccessRequestSerializer,
)

TAG = ["subject-access"]
STATE = OpenApiResponse(
    description="The request is not in a state where this can be done (already answered, "
    "identity not checked, already redacted, nothing gathered, no bundle ready): nothing "
    "was changed."
)
NOT_READY = OpenApiResponse(
    description="The bundle is not ready (queued, being produced or failed)."
)
WRITE_ERRORS = {400: INVALID, 404: NOT_FOUND, 409: STATE}


class RequestStateConflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request is not in a state where this can be done."
    default_code = "state"


def _service(call: Callable[[], Any], rename: dict[str, str] | None = None) -> Any:
    """Run a service as the pages do: a permission refusal is a 404; a refusal
    about a field a 400 naming it (``rename`` maps the form's field names to the
    API's); one about the request as a whole a 409."""
    try:
        return call()
    except PermissionDenied as exc:
        raise Http404("No such request") from exc
    except DjangoValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise RequestStateConflict(" ".join(exc.messages)) from exc
        error = _as_drf_error(exc)
        if rename:
            error.detail = {rename.get(k, k): v for k, v in error.detail.items()}
        raise error from exc


def _param(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(name, OpenApiTypes.UUID, OpenApiParameter.PATH, description=description)


REQUEST_ID = _param("request_id", "The request's id.")
CHILD_ID = _param("child_id", "The child's id (from the search).")
ITEM_ID = _param("item_id", "A gathered item's id.")
REDACTION_ID = _param("redaction_id", "A redaction's id.")
BUNDLE_ID = _param("bundle_id", "A bundle's id.")


def _detail(request: Request, sar: SubjectAccessRequest, code: int = 200) -> Response:
    sar = selectors.get_request_for(request.user, sar.pk)  # as read now, with its relations
    context = {
        "request": request,
        "bundles": list(selectors.bundles_for(request.user, sar)[:10]),
        "events": selectors.request_events(sar),
    }
    return Response(SubjectAccessRequestDetailSerializer(sar, context=context).data, status=code)


# The requests, and finding the child ---------------------------------------------------


class ListQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=SubjectAccessRequest.Status.choices,
        required=False,
        help_text="Only requests in this state (``sent``: answered).",
    )


class SubjectAccessRequestListView(GenericAPIView):
    serializer_class = SubjectAccessRequestSerializer
    # Equal deadlines (a weekend moves several to one Monday): the oldest first.
    pagination_class = cursor_pagination("due_on", "received_on", "id")

    @extend_schema(
        tags=TAG,
        parameters=[ListQuerySerializer],
        responses={200: SubjectAccessRequestSerializer(many=True), 404: NOT_FOUND},
        summary="The requests of the authorities you answer them for, soonest due first",
    )
    def get(self, request: Request) -> Response:
        selectors.get_ig_agency_for(request.user)  # 404 for anyone else
        query = ListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        requests = selectors.requests_for(request.user)
        if "status" in query.validated_data:
            requests = requests.filter(status=query.validated_data["status"])
        page = self.paginate_queryset(requests.order_by("due_on", "received_on", "id"))
        body = self.get_serializer(page, many=True).data
        return self.get_paginated_response(body)


class ChildSearchView(APIView):
    @extend_schema(
        tags=TAG,
        parameters=[ChildSearchSerializer],
        responses={200: ChildFoundSerializer(many=True), 400: INVALID, 404: NOT_FOUND},
        summary="Find the child a request is about, by name or reference (at most 20; audited)",
    )
    def get(self, request: Request) -> Response:
        agency = selectors.get_ig_agency_for(request.user)
        query = ChildSearchSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        children = list(selectors.children_matching(agency, query.validated_data["q"]))
        # Names and dates of birth of children: a read of personal data.
        audit_record(
            user=request.user,
            action="list",
            event="subject_access_child_search",
            detail={"results": [c.reference for c in children]},
        )
        return Response(ChildFoundSerializer(children, many=True).data)


class ChildHouseholdView(APIView):
    @extend_schema(
        tags=TAG,
        parameters=[CHILD_ID],
        responses={200: ChildHouseholdSerializer, 404: NOT_FOUND},
        summary="Whom a request about this child can be about: the child or a household adult "
        "(audited)",
    )
    def get(self, request: Request, child_id) -> Response:
        selectors.get_ig_agency_for(request.user)
        child = selectors.get_child_for(request.user, child_id)
        adults = list(selectors.household_adults(child))
        audit_record(
            user=request.user,
            action="view",
            event="subject_access_household_viewed",
            obj=child,
            detail={"adults": len(adults)},
        )
        return Response(ChildHouseholdSerializer({"child": child, "adults": adults}).data)


class LogRequestView(APIView):
    @extend_schema(
        tags=TAG,
        parameters=[CHILD_ID],
        request=LogRequestSerializer,
        responses={201: SubjectAccessRequestDetailSerializer, 400: INVALID, 404: NOT_FOUND},
        summary="Log a request about the child or an adult of the child's household",
    )
    def post(self, request: Request, child_id) -> Response:
        agency = selectors.get_ig_agency_for(request.user)
        child = selectors.get_child_for(request.user, child_id)
        body = LogRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        member = None
        if data.get("household_member"):
            adults = selectors.household_adults(child)
            member = adults.filter(pk=data["household_member"]).first()
            if member is None:
                raise ValidationError(
                    {"household_member": ["Choose an adult of this child's household"]}
                )
        sar = _service(
            lambda: services.sar_log(
                acting_user=request.user,
                agency=agency,
                child=child,
                household_member=member,
                requester_name=data["requester_name"],
                requester_relationship=data["requester_relationship"],
                requester_contact=data["requester_contact"],
                received_on=data["received_on"],
            ),
            rename={"subject": "household_member"},
        )
        return _detail(request, sar, status.HTTP_201_CREATED)


# One request ------------------------------------------------------------------------------


class RequestDetailView(APIView):
    @extend_schema(
        tags=TAG,
        parameters=[REQUEST_ID],
        responses={200: SubjectAccessRequestDetailSerializer, 404: NOT_FOUND},
        summary="A request: what is recorded, its deadline, bundles and what has been done",
    )
    def get(self, request: Request, request_id) -> Response:
        return _detail(request, selectors.get_request_for(request.user, request_id))


class IdentityView(APIView):
    @extend_schema(
        tags=TAG,
        parameters=[REQUEST_ID],
        request=IdentitySerializer,
        responses={200: SubjectAccessRequestDetailSerializer, **WRITE_ERRORS},
        summary="Record how the requester's identity was checked (before anything is gathered)",
    )
    def post(self, request: Request, request_id) -> Response:
        sar = selectors.get_request_for(request.user, request_id)
        body = IdentitySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        sar = _service(
            lambda: services.sar_check_identity(
                acting_user=request.user,
                sar=sar,
                method=data["identity_method"],
                detail=data["detail"],
                evidence_on=data["evidence_on"],
            )
        )
        return _detail(request, sar)


class ExtendView(APIView):
    @extend_schema(
        tags=TAG,
        parameters=[REQUEST_ID],
        request=ExtendSerializer,
        responses={200: SubjectAccessRequestDetailSerializer, **WRITE_ERRORS},
        summary="Extend the deadline by one or two months (UK GDPR Art. 12(3)), within the "
        "first month",
    )
    def post(self, request: Request, request_id) -> Response:
        sar = selectors.get_request_for(request.user, request_id)
        body = ExtendSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        sar = _service(
            lambda: services.sar_extend(
                acting_user=request.user, sar=sar, months=data["months"], reason=data["reason"]
            )
        )
        return _detail(request, sar)


class GatherView(APIView):
    @extend_schema(
        tags=TAG,
        parameters=[REQUEST_ID],
        request=None,
        responses={200: GatheredSerializer, 404: NOT_FOUND, 409: STATE},
        summary="Gather everything held about the subject (each case read is audited on it)",
        description="Done while you wait, as on the pages: the answer says how many items "
        "were gathered. Gathering again takes in what the record gained, until the first "
        "redaction.",
    )
    def post(self, request: Request, request_id) -> Response:
        sar = selectors.get_request_for(request.user, request_id)
        count = _service(lambda: services.sar_gather(acting_user=request.user, sar=sar))
        sar = selectors.get_request_for(request.user, request_id)
        items_url = reverse("subject-access-items", kwargs={"request_id": sar.pk}, request=request)
        context = {"request": request}
        return Response(
            GatheredSerializer(
                {"items": count, "items_url": items_url, "request": sar}, context=context
            ).data
        )


# Items and redactions ------------------------------------------------------------------------


def _numbered(sar: SubjectAccessRequest, items: list | None = None) -> dict:
    """The schedule's numbers of every redaction of ``sar`` (as the bundle
    numbers them), and the redactions of ``items`` with their numbers."""
    ordered = SubjectAccessRedaction.objects.filter(item__request=sar).order_by(
        "item__position", "created_at", "id"
    )
    numbers = {pk: n for n, pk in enumerate(ordered.values_list("pk", flat=True), start=1)}
    marks: dict = {}
    if items:
        shown = ordered.filter(item__in=items).select_related("created_by")
        for redaction in shown:
            marks.setdefault(redaction.item_id, []).append((numbers[redaction.pk], redaction))
    return {"numbers": numbers, "marks": marks}


class ItemListView(GenericAPIView):
    serializer_class = ItemPreviewSerializer
    pagination_class = cursor_pagination("position", "id")

    @extend_schema(
        tags=TAG,
        parameters=[REQUEST_ID],
        responses={200: ItemPreviewSerializer(many=True), 404: NOT_FOUND},
        summary="What was gathered, each item as it will be sent, with its redactions (audited)",
    )
    def get(self, request: Request, request_id) -> Response:
        sar = selectors.get_request_for(request.user, request_id)
        page = self.paginate_queryset(sar.items.order_by("position", "id"))
        context = {"request": request, **_numbered(sar, page)}
        audit_record(
            user=request.user,
            action="view",
            event="subject_access_items_viewed",
            obj=sar,
            detail={"request": str(sar.pk), "items": len(page)},
        )
        return self.get_paginated_response(
            ItemPreviewSerializer(page, many=True, context=context).data
        )


def _item(request: Request, request_id, item_id):
    sar = selectors.get_request_for(request.user, request_id)
    item = sar.items.filter(pk=item_id).first()
    if item is None:
        raise Http404("No such item")
    return sar, item


class ItemDetailView(APIView):
    @extend_schema(
        tags=TAG,
        parameters=[REQUEST_ID, ITEM_ID],
        responses={200: ItemSerializer, 404: NOT_FOUND},
        summary="One gathered item as it was read, unredacted, to redact in it (audited)",
    )
    def get(self, request: Request, request_id, item_id) -> Response:
        sar, item = _item(request, request_id, item_id)
        audit_record(
            user=request.user,
            action="view",
            event="subject_access_item_viewed",
            obj=sar,
            detail={"request": str(sar.pk), "item": str(item.pk)},
        )
        return Response(ItemSerializer(item).data)


class RedactView(APIView):
    @extend_schema(
        tags=TAG,
        parameters=[REQUEST_ID, ITEM_ID],
        request=RedactSerializer,
        responses={201: RedactionSerializer(many=True), **WRITE_ERRORS},
        summary="Withhold words (in this item or every item) or the whole item, with the "
        "kind of information and the legal basis",
    )
    def post(self, request: Request, request_id, item_id) -> Response:
        sar, item = _item(request, request_id, item_id)
        body = RedactSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        made = _service(
            lambda: services.redaction_add(
                acting_user=request.user,
                sar=sar,
                item_id=item.pk,
                category=data["category"],
                reason=data["reason"],
                note=data["note"],
                phrase=data["phrase"],
                whole_item=data["whole_item"],
                every_item=data["every_item"],
            )
        )
        context = {"request": request, **_numbered(sar)}
        return Response(
            RedactionSerializer(made, many=True, context=context).data,
            status=status.HTTP_201_CREATED,
        )


class RedactionView(APIView):
    @extend_schema(
        tags=TAG,
        parameters=[REQUEST_ID, REDACTION_ID],
        responses={204: None, 404: NOT_FOUND, 409: STATE},
        summary="Remove a redaction (audited)",
    )
    def delete(self, request: Request, request_id, redaction_id) -> Response:
        sar = selectors.get_request_for(request.user, request_id)
        if not SubjectAccessRedaction.objects.filter(pk=redaction_id, item__request=sar).exists():
            raise Http404("No such redaction")
        _service(
            lambda: services.redaction_remove(
                acting_user=request.user, sar=sar, redaction_id=redaction_id
            )
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


# The bundle ------------------------------------------------------------------------------------


class BundleCreateView(APIView):
    @extend_schema(
        tags=TAG,
        parameters=[REQUEST_ID],
        request=None,
        responses={202: BundleSerializer, 404: NOT_FOUND, 409: STATE},
        summary="Produce the bundle (redacted PDF and unredacted export) of what is gathered "
        "and redacted now",
        description="A worker produces it: follow ``status_url`` until ``finished``. Asked "
        "again while one is queued or being produced, that one is answered.",
    )
    def post(self, request: Request, request_id) -> Response:
        sar = selectors.get_request_for(request.user, request_id)
        produced = _service(lambda: services.bundle_request(acting_user=request.user, sar=sar))
        body = BundleSerializer(produced, context={"request": request}).data
        return Response(
            body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["status_url"]}
        )


class BundleStatusView(APIView):
    @extend_schema(
        tags=TAG,
        parameters=[REQUEST_ID, BUNDLE_ID],
        responses={200: BundleSerializer, 404: NOT_FOUND},
        summary="A bundle's progress, and its downloads once ready",
    )
    def get(self, request: Request, request_id, bundle_id) -> Response:
        produced = selectors.get_bundle_for(request.user, request_id, bundle_id)
        response = Response(BundleSerializer(produced, context={"request": request}).data)
        patch_cache_control(response, no_store=True, private=True)
        return response


def _download(request: Request, request_id, bundle_id, part: str):
    produced = selectors.get_bundle_for(request.user, request_id, bundle_id)
    if not produced.is_ready:
        return error_response(status.HTTP_409_CONFLICT, "The bundle is not ready.")
    services.bundle_downloaded(user=request.user, bundle=produced, part=part)
    field = produced.pdf if part == "pdf" else produced.export
    reference = produced.request.reference
    response = FileResponse(
        field.open("rb"),
        as_attachment=True,
        filename=f"{reference}-bundle.pdf" if part == "pdf" else f"{reference}-unredacted.json",
        content_type="application/pdf" if part == "pdf" else "application/json",
    )
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, no_store=True, private=True)
    return response


class BundlePdfView(APIView):
    @extend_schema(
        tags=TAG,
        parameters=[REQUEST_ID, BUNDLE_ID],
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            404: NOT_FOUND,
            409: NOT_READY,
        },
        summary="Download the redacted PDF to send (audited with its SHA-256)",
    )
    def get(self, request: Request, request_id, bundle_id):
        return _download(request, request_id, bundle_id, "pdf")


class BundleExportView(APIView):
    @extend_schema(
        tags=TAG,
        parameters=[REQUEST_ID, BUNDLE_ID],
        responses={
            (200, "application/json"): OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="``safeguard-subject-access-export/1``: every item unredacted, "
                "with each redaction's spans, reason and note. For the file: never send it.",
            ),
            404: NOT_FOUND,
            409: NOT_READY,
        },
        summary="Download the unredacted JSON export for the authority's file (audited)",
    )
    def get(self, request: Request, request_id, bundle_id):
        return _download(request, request_id, bundle_id, "export")


class SentView(APIView):
    @extend_schema(
        tags=TAG,
        parameters=[REQUEST_ID],
        request=SentSerializer,
        responses={200: SubjectAccessRequestDetailSerializer, **WRITE_ERRORS},
        summary="Record what was sent (the newest bundle, by its fingerprint), when, how and "
        "to whom; the request then changes no more",
    )
    def post(self, request: Request, request_id) -> Response:
        sar = selectors.get_request_for(request.user, request_id)
        body = SentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        if data["bundle"] is not None:
            chosen = sar.bundles.filter(pk=data["bundle"]).first()
            if chosen is None:
                raise ValidationError({"bundle": ["Choose a bundle of this request that is ready"]})
        else:
            chosen = selectors.bundles_for(request.user, sar).first()
            if not sar.is_sent and (chosen is None or not chosen.is_ready):
                raise RequestStateConflict("No bundle is ready to send: produce one first.")
        sar = _service(
            lambda: services.sar_mark_sent(
                acting_user=request.user,
                sar=sar,
                bundle=chosen,
                sent_on=data["sent_on"],
                method=data["sent_method"],
                sent_to=data["sent_to"],
            )
        )
        return _detail(request, sar)
