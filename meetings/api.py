"""REST API over meetings: invitations, reports, attendance, decisions, actions.

The same selectors and services as the pages: a meeting the user is not part of
is a 404; what the user may see but not do is a 403; a finalised record
refuses every edit with a 400 that says to add an addendum.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import prefetch_related_objects
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from agencies.models import Agency
from cases import selectors
from cases.api import (
    FORBIDDEN,
    ID_PARAMETER,
    INVALID,
    NOT_FOUND,
    UUID_PATTERN,
    _as_drf_error,
    _audit_list,
)
from meetings import services as meetings
from meetings.models import (
    InvitationRequest,
    Meeting,
)
from meetings.selectors import (
    MEETING_ORDER,
    get_meeting_for,
    has_meeting_lead_access,
    meeting_detail_for,
    meeting_list_for,
    meeting_rows_fetch,
    meeting_subjects,
    pending_requests_for,
)
from meetings.serializers import (
    ActionCreateSerializer,
    AddendumCreateSerializer,
    AddendumSerializer,
    AttendeeCreateSerializer,
    AttendeeSerializer,
    CancelSerializer,
    DeclineSerializer,
    DissentCreateSerializer,
    DissentSerializer,
    InvitationRequestSerializer,
    InvitationSerializer,
    InviteSerializer,
    MeetingActionSerializer,
    MeetingCreateSerializer,
    MeetingSerializer,
    RecordDetailSerializer,
    RecordSerializer,
    ReportSerializer,
    ReportSubmitSerializer,
    RescheduleSerializer,
    ResponseSerializer,
    WithdrawSerializer,
)
from safeguard.core.api_errors import error_response
from safeguard.core.pagination import cursor_pagination

FINAL = OpenApiResponse(
    description="The record is final (perhaps finalised a moment ago): who finalised it and when."
)
ERRORS = {400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND, 409: FINAL}


class RecordIsFinal(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "record_final"


def _service(call, *args: Any, **kwargs: Any):
    try:
        return call(*args, **kwargs)
    except meetings.RecordFinal as exc:
        # Not a bad request: the record became final (perhaps a moment ago).
        raise RecordIsFinal(" ".join(exc.messages)) from exc
    except DjangoValidationError as exc:
        raise _as_drf_error(exc) from exc
    except meetings.ManagerAuthorisationNeeded as exc:
        raise PermissionDenied(str(exc)) from exc  # DRF's 403 would drop the reason


def _agency(slug: str) -> Agency:
    agency = Agency.objects.filter(slug=slug, is_active=True).first()
    if agency is None:
        raise ValidationError({"agency": "No such agency"})
    return agency


def _person(username: str | None):
    if not username:
        return None
    person = get_user_model().objects.filter(username=username, is_active=True).first()
    if person is None:
        raise ValidationError({"person": "No such person"})
    return person


@extend_schema_view(
    list=extend_schema(description="Meetings you chair or your agency is part of."),
    retrieve=extend_schema(
        parameters=[ID_PARAMETER],
        responses={200: RecordDetailSerializer, 404: NOT_FOUND},
        description="A meeting and its record, at your level of access.",
    ),
)
class MeetingViewSet(viewsets.GenericViewSet):
    """Meetings and conferences (SPEC 3.5)."""

    serializer_class = MeetingSerializer
    lookup_value_regex = UUID_PATTERN
    pagination_class = cursor_pagination(*MEETING_ORDER)

    def get_queryset(self):
        return meeting_list_for(self.request.user)

    def list(self, request: Request) -> Response:
        user = request.user
        if user.is_authenticated and user.is_active:
            # The page's statement is compiled once per process (as the case
            # and concern lists' are); the children are read for the page.
            self.keyset_fetch = meeting_rows_fetch(user)
        page = self.paginate_queryset(Meeting.objects.none())
        prefetch_related_objects(page, meeting_subjects())
        _audit_list(request, "meetings_listed", (m.reference for m in page))
        return self.get_paginated_response(MeetingSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        detail = meeting_detail_for(request.user, pk)
        return Response(RecordDetailSerializer(detail).data)

    def _meeting(self, pk: str | None) -> Meeting:
        return get_meeting_for(self.request.user, pk, audit=False)

    @extend_schema(request=MeetingCreateSerializer, responses={201: MeetingSerializer, **ERRORS})
    def create(self, request: Request) -> Response:
        body = MeetingCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        cases = []
        for case_id in data["cases"]:
            cases.append(selectors.get_case_for(request.user, case_id, audit=False))
        follows = self._meeting(data["follows"]) if data.get("follows") else None
        chair = _person(data["chair"])
        meeting = _service(
            meetings.meeting_schedule,
            acting_user=request.user,
            kind=data["kind"],
            cases=cases,
            chair=chair,
            scheduled_at=data["scheduled_at"],
            format=data["format"],
            location=data["location"],
            video_link=data["video_link"],
            follows=follows,
            late_reason=data["late_reason"],
            report_due_on=data.get("report_due_on"),
            purpose=data["purpose"],
            invite=[_agency(slug) for slug in data["invite"]],
            invite_reason=data["invite_reason"],
            request_authorisation=data["request_authorisation"],
        )
        return Response(MeetingSerializer(meeting).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"],
        parameters=[ID_PARAMETER],
        request=None,
        responses={200: InvitationSerializer(many=True), 404: NOT_FOUND},
        description="Who is invited: the meeting's whole list (never paged).",
    )
    @extend_schema(
        methods=["POST"],
        parameters=[ID_PARAMETER],
        request=InviteSerializer,
        responses={
            201: InvitationSerializer,
            202: InvitationRequestSerializer,
            **ERRORS,
        },
        description="Invite an agency, or a named person in it. "
        "An agency not involved in the case needs a ``reason`` (400 without). One of another "
        "local authority needs a manager of the lead agency: anyone else gets a 403 saying "
        "so, or, with ``request_authorisation``, a 202 and an invitation request that shares "
        "nothing until a manager authorises it.",
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def invitations(self, request: Request, pk: str | None = None) -> Response:
        meeting = self._meeting(pk)
        if request.method == "GET":
            rows = meeting.invitations.select_related("agency", "person")
            return Response(InvitationSerializer(rows, many=True).data)
        body = InviteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        person = _person(data.get("person"))
        if person is None:
            invited = _service(
                meetings.invite_or_request,
                acting_user=request.user,
                meeting=meeting,
                agency=_agency(data["agency"]),
                reason=data["reason"],
                report_requested=data["report_requested"],
                request_authorisation=data["request_authorisation"],
            )
        else:
            invited = _service(
                meetings.meeting_invite,
                acting_user=request.user,
                meeting=meeting,
                agency=_agency(data["agency"]),
                person=person,
                reason=data["reason"],
                report_requested=data["report_requested"],
            )
        if isinstance(invited, InvitationRequest):
            return Response(
                InvitationRequestSerializer(invited).data, status=status.HTTP_202_ACCEPTED
            )
        return Response(InvitationSerializer(invited).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[ID_PARAMETER],
        request=None,
        responses={200: InvitationRequestSerializer(many=True), 404: NOT_FOUND},
        description="Invitations waiting for a manager of the lead agency (lead agency only): "
        "the meeting's whole list (never paged).",
    )
    @action(detail=True, methods=["get"], url_path="invitation-requests", pagination_class=None)
    def invitation_requests(self, request: Request, pk: str | None = None) -> Response:
        meeting = self._meeting(pk)
        if not has_meeting_lead_access(request.user, meeting):
            raise Http404
        return Response(InvitationRequestSerializer(pending_requests_for(meeting), many=True).data)

    def _waiting(self, pk: str | None, request_id: str) -> InvitationRequest:
        meeting = self._meeting(pk)
        if not has_meeting_lead_access(self.request.user, meeting):
            raise Http404
        waiting = meeting.invitation_requests.filter(pk=request_id).first()
        if waiting is None:
            raise Http404
        return waiting

    @extend_schema(
        request=None,
        responses={201: InvitationSerializer, **ERRORS},
        description="A manager of the lead agency authorises a waiting invitation: it is sent.",
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=rf"invitation-requests/(?P<request_id>{UUID_PATTERN})/authorise",
    )
    def authorise(self, request: Request, pk: str | None = None, request_id: str = "") -> Response:
        invitation = _service(
            meetings.invitation_request_authorise,
            acting_user=request.user,
            request=self._waiting(pk, request_id),
        )
        return Response(InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=DeclineSerializer,
        responses={200: InvitationRequestSerializer, **ERRORS},
        description="A manager of the lead agency declines a waiting invitation, saying why.",
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=rf"invitation-requests/(?P<request_id>{UUID_PATTERN})/decline",
    )
    def decline(self, request: Request, pk: str | None = None, request_id: str = "") -> Response:
        waiting = self._waiting(pk, request_id)
        body = DeclineSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        declined = _service(
            meetings.invitation_request_decline,
            acting_user=request.user,
            request=waiting,
            reason=body.validated_data["reason"],
        )
        return Response(InvitationRequestSerializer(declined).data)

    @extend_schema(request=ResponseSerializer, responses={200: InvitationSerializer, **ERRORS})
    @action(
        detail=True,
        methods=["post"],
        url_path=rf"invitations/(?P<invitation_id>{UUID_PATTERN})/reply",
    )
    def reply(self, request: Request, pk: str | None = None, invitation_id: str = "") -> Response:
        meeting = self._meeting(pk)
        invitation = meeting.invitations.filter(pk=invitation_id).first()
        if invitation is None:
            raise Http404
        body = ResponseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        invitation = _service(
            meetings.invitation_respond,
            acting_user=request.user,
            invitation=invitation,
            response=body.validated_data["response"],
        )
        return Response(InvitationSerializer(invitation).data)

    @extend_schema(
        request=WithdrawSerializer,
        responses={204: None, **ERRORS},
        description="The chair or the lead agency withdraws an invitation, giving the reason. "
        "The agency's access to the meeting ends unless it is involved in the case another way. "
        "Refused once the record is final.",
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=rf"invitations/(?P<invitation_id>{UUID_PATTERN})/withdraw",
    )
    def withdraw(
        self, request: Request, pk: str | None = None, invitation_id: str = ""
    ) -> Response:
        meeting = self._meeting(pk)
        invitation = meeting.invitations.filter(pk=invitation_id).first()
        if invitation is None:
            raise Http404
        body = WithdrawSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        _service(
            meetings.invitation_withdraw,
            acting_user=request.user,
            invitation=invitation,
            reason=body.validated_data["reason"],
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        methods=["GET"],
        parameters=[ID_PARAMETER],
        request=None,
        responses={200: ReportSerializer(many=True), 404: NOT_FOUND},
        description="The reports you may read: the meeting's whole list (never paged).",
    )
    @extend_schema(
        methods=["POST"],
        parameters=[ID_PARAMETER],
        request=ReportSubmitSerializer,
        responses={201: ReportSerializer, **ERRORS},
        description="Send or update your agency's report.",
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def reports(self, request: Request, pk: str | None = None) -> Response:
        if request.method == "GET":
            return Response(
                ReportSerializer(meeting_detail_for(request.user, pk)["reports"], many=True).data
            )
        meeting = self._meeting(pk)
        body = ReportSubmitSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        report = _service(
            meetings.report_submit,
            acting_user=request.user,
            meeting=meeting,
            agency=_agency(body.validated_data["agency"]),
            text=body.validated_data["text"],
            shared_with_invitees=body.validated_data["shared_with_invitees"],
            child_wishes=body.validated_data["child_wishes"],
            wishes_not_obtained=body.validated_data["wishes_not_obtained"],
            wishes_not_obtained_detail=body.validated_data["wishes_not_obtained_detail"],
        )
        return Response(ReportSerializer(report).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[ID_PARAMETER],
        request=RecordSerializer,
        responses={
            200: MeetingSerializer,
            **ERRORS,
            409: OpenApiResponse(
                description="Saved elsewhere since `version` (with the current version), "
                "or the record is final."
            ),
        },
        description="The chair saves attendance, minutes (by agenda item id) and each "
        "child's decision (by the child's place id). A stale version is a 409.",
    )
    @action(detail=True, methods=["post"])
    def record(self, request: Request, pk: str | None = None) -> Response:
        meeting = self._meeting(pk)
        body = RecordSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        try:
            meeting = _service(
                meetings.meeting_record,
                acting_user=request.user,
                meeting=meeting,
                version=data["version"],
                attendance=data["attendance"],
                minutes=data["minutes"],
                decisions=data["decisions"],
                attendee_attendance=data["attendee_attendance"],
            )
        except meetings.StaleRecord:
            return error_response(
                status.HTTP_409_CONFLICT,
                "The record was saved elsewhere since you read it.",
                version=meeting.version,
            )
        return Response(MeetingSerializer(meeting).data)

    @extend_schema(request=DissentCreateSerializer, responses={201: DissentSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def dissents(self, request: Request, pk: str | None = None) -> Response:
        meeting = self._meeting(pk)
        body = DissentCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        subject = meeting.subjects.filter(case_id=data["case"]).select_related("case").first()
        if subject is None:
            raise ValidationError({"case": "Choose a child this meeting is about"})
        dissent = _service(
            meetings.dissent_add,
            acting_user=request.user,
            meeting=meeting,
            case=subject.case,
            person_name=data["person_name"],
            agency=_agency(data["agency"]),
            reason=data["reason"],
        )
        return Response(DissentSerializer(dissent).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"],
        request=None,
        responses={200: MeetingActionSerializer(many=True), 404: NOT_FOUND},
        description="The actions agreed at the meeting: its whole list (never paged).",
    )
    @extend_schema(
        methods=["POST"],
        request=ActionCreateSerializer,
        responses={201: MeetingActionSerializer, **ERRORS},
        description="Record an action agreed at the meeting, for one of its children.",
    )
    @action(detail=True, methods=["get", "post"], url_path="actions", pagination_class=None)
    def meeting_actions(self, request: Request, pk: str | None = None) -> Response:
        if request.method == "GET":
            rows = meeting_detail_for(request.user, pk)["actions"]
            return Response(MeetingActionSerializer(rows, many=True).data)
        meeting = self._meeting(pk)
        body = ActionCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        subject = meeting.subjects.filter(case_id=data["case"]).select_related("case").first()
        if subject is None:
            raise ValidationError({"case": "Choose a child this meeting is about"})
        created = _service(
            meetings.meeting_action_add,
            acting_user=request.user,
            meeting=meeting,
            case=subject.case,
            description=data["description"],
            agency=_agency(data["agency"]),
            owner=_person(data.get("owner")),
            due_on=data["due_on"],
        )
        return Response(MeetingActionSerializer(created).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: MeetingSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def finalise(self, request: Request, pk: str | None = None) -> Response:
        meeting = _service(
            meetings.meeting_finalise, acting_user=request.user, meeting=self._meeting(pk)
        )
        return Response(MeetingSerializer(meeting).data)

    @extend_schema(
        request=RescheduleSerializer,
        responses={200: MeetingSerializer, **ERRORS},
        description="Move the meeting (chair or lead agency); invitees are told.",
    )
    @action(detail=True, methods=["post"])
    def reschedule(self, request: Request, pk: str | None = None) -> Response:
        meeting = self._meeting(pk)
        body = RescheduleSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        moved = _service(
            meetings.meeting_reschedule,
            acting_user=request.user,
            meeting=meeting,
            **body.validated_data,
        )
        return Response(MeetingSerializer(moved).data)

    @extend_schema(
        request=CancelSerializer,
        responses={200: MeetingSerializer, **ERRORS},
        description="Cancel the meeting with a reason; invitees are told, nothing is owed.",
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        meeting = self._meeting(pk)
        body = CancelSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        cancelled = _service(
            meetings.meeting_cancel,
            acting_user=request.user,
            meeting=meeting,
            reason=body.validated_data["reason"],
        )
        return Response(MeetingSerializer(cancelled).data)

    @extend_schema(request=AddendumCreateSerializer, responses={201: AddendumSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def addenda(self, request: Request, pk: str | None = None) -> Response:
        meeting = self._meeting(pk)  # 404 before anything is said about the body
        body = AddendumCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        addendum = _service(
            meetings.addendum_add,
            acting_user=request.user,
            meeting=meeting,
            text=body.validated_data["text"],
        )
        return Response(AddendumSerializer(addendum).data, status=status.HTTP_201_CREATED)


class MeetingAttendeeViewSet(viewsets.ViewSet):
    """Parents, the child, advocates and professionals invited by name."""

    @extend_schema(
        responses={200: AttendeeSerializer(many=True), 404: NOT_FOUND},
        description="Who is invited by name, their role and whether they attended.",
    )
    def list(self, request: Request, meeting_pk: str | None = None) -> Response:
        detail = meeting_detail_for(request.user, meeting_pk)
        return Response(AttendeeSerializer(detail["attendees"], many=True).data)

    @extend_schema(
        request=AttendeeCreateSerializer,
        responses={201: AttendeeSerializer, **ERRORS},
        description="Invite someone by name (the chair or the lead agency). A professional "
        "names their agency, one involved in the case; a strategy discussion takes "
        "professionals only. Attendance is recorded with the record "
        "(``attendee_attendance``).",
    )
    def create(self, request: Request, meeting_pk: str | None = None) -> Response:
        meeting = get_meeting_for(request.user, meeting_pk, audit=False)
        if not meetings.can_manage(request.user, meeting):
            raise Http404
        body = AttendeeCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        agency = None
        if data.get("agency"):
            agency = meetings.attendee_agencies(meeting).filter(slug=data["agency"]).first()
            if agency is None:
                raise ValidationError({"agency": ["Choose an agency involved in the case"]})
        attendee = _service(
            meetings.attendee_add,
            acting_user=request.user,
            meeting=meeting,
            name=data["name"],
            kind=data["kind"],
            role=data["role"],
            agency=agency,
        )
        return Response(AttendeeSerializer(attendee).data, status=status.HTTP_201_CREATED)
