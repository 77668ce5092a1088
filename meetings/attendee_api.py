"""The API for people invited to a meeting by name (``meetings/{id}/attendees/``),
over the same service as the page."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from cases.api import NOT_FOUND
from meetings import services as meetings
from meetings.api import ERRORS, _service
from meetings.selectors import get_meeting_for, meeting_detail_for
from meetings.serializers import AttendeeCreateSerializer, AttendeeSerializer


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
