"""The meetings API's request and response shapes (``meetings.api`` serves them)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases.models import CaseAction, WishesNotObtained
from meetings.models import (
    AgencyReport,
    AgendaItem,
    InvitationRequest,
    Meeting,
    MeetingAddendum,
    MeetingAttendee,
    MeetingCase,
    MeetingDissent,
    MeetingInvitation,
)
from safeguard.core.api_dates import BoundedDateField, BoundedDateTimeField
from safeguard.core.api_fields import (
    StrictCharField,
    StrictModelSerializer,
    StrictSlugField,
    StrictURLField,
)
from safeguard.core.dates import DateKind


class AttendeeSerializer(StrictModelSerializer):
    agency = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    kind_display = StrictCharField(source="get_kind_display", read_only=True)

    class Meta:
        model = MeetingAttendee
        fields = ["id", "name", "kind", "kind_display", "role", "agency", "attendance"]


class AttendeeCreateSerializer(serializers.Serializer):
    name = StrictCharField(max_length=200)
    kind = serializers.ChoiceField(choices=MeetingAttendee.Kind.choices)
    role = StrictCharField(max_length=200)
    agency = StrictSlugField(
        required=False, allow_blank=True, help_text="A professional's agency (slug)."
    )


class MeetingChildSerializer(StrictModelSerializer):
    case = serializers.UUIDField(source="case_id")
    case_reference = StrictCharField(source="case.reference")
    child_name = StrictCharField(source="case.child.full_name")

    class Meta:
        model = MeetingCase
        fields = [
            "id",
            "case",
            "case_reference",
            "child_name",
            "decision",
            "category",
            "decision_notes",
            "first_core_group_on",
            "next_review_on",
        ]


class MeetingSerializer(StrictModelSerializer):
    chair = StrictCharField(source="chair.username")
    lead_agency = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    children = MeetingChildSerializer(source="subjects", many=True, read_only=True)
    is_late = serializers.BooleanField(read_only=True)
    is_finalised = serializers.BooleanField(read_only=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "reference",
            "kind",
            "lead_agency",
            "chair",
            "scheduled_at",
            "format",
            "location",
            "video_link",
            "due_on",
            "is_late",
            "late_reason",
            "report_due_on",
            "purpose",
            "children",
            "is_finalised",
            "finalised_at",
            "cancelled_at",
            "cancellation_reason",
            "version",
        ]


class RescheduleSerializer(serializers.Serializer):
    scheduled_at = BoundedDateTimeField(kind=DateKind.DUE, name="The new date of the meeting")
    reason = StrictCharField(max_length=2000)
    late_reason = StrictCharField(max_length=2000, allow_blank=True, default="")
    report_due_on = BoundedDateField(
        kind=DateKind.DUE,
        name="The date reports are due",
        required=False,
        allow_null=True,
        default=None,
    )


class CancelSerializer(serializers.Serializer):
    reason = StrictCharField(max_length=2000)


class MeetingCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Meeting.Kind.choices)
    cases = serializers.ListField(child=serializers.UUIDField(), min_length=1)
    chair = StrictCharField(max_length=150)
    scheduled_at = BoundedDateTimeField(kind=DateKind.DUE, name="The date of the meeting")
    format = serializers.ChoiceField(
        choices=Meeting.Format.choices,
        allow_blank=True,
        default="",
        help_text="in_person needs a location; video and telephone need none. Left out, it is "
        "in_person when a location is given, else video when a video link is.",
    )
    location = StrictCharField(max_length=200, allow_blank=True, default="")
    video_link = StrictURLField(max_length=300, allow_blank=True, default="")
    follows = serializers.UUIDField(required=False, allow_null=True)
    late_reason = StrictCharField(allow_blank=True, default="")
    report_due_on = BoundedDateField(
        required=False, allow_null=True, kind=DateKind.DUE, name="The date reports are due"
    )
    purpose = StrictCharField(allow_blank=True, default="")
    invite = serializers.ListField(child=StrictSlugField(), default=list)
    invite_reason = StrictCharField(
        allow_blank=True,
        default="",
        max_length=2000,
        help_text="Required when ``invite`` names an agency not involved in the cases: "
        "inviting it shares the children's records with it.",
    )
    request_authorisation = serializers.BooleanField(
        default=False,
        help_text="For an agency of another local authority when you are not a manager of "
        "the lead agency: true holds its invitation for a manager to authorise; false "
        "refuses the meeting (403).",
    )


class InvitationSerializer(StrictModelSerializer):
    agency = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    person = StrictCharField(
        source="person.username",
        default=None,
        allow_null=True,
        read_only=True,
        help_text="The person invited by name; null when the agency is invited as a whole.",
    )

    class Meta:
        model = MeetingInvitation
        fields = ["id", "agency", "person", "report_requested", "response", "attendance"]


class InviteSerializer(serializers.Serializer):
    agency = StrictSlugField()
    person = StrictCharField(max_length=150, required=False, allow_blank=True)
    report_requested = serializers.BooleanField(default=True)
    reason = StrictCharField(
        allow_blank=True,
        default="",
        max_length=2000,
        help_text="Why the agency is needed: required (400 without it) for an agency not "
        "involved in the case, since inviting it shares the child's record with it.",
    )
    request_authorisation = serializers.BooleanField(
        default=False,
        help_text="An agency of another local authority needs a manager of the lead agency. "
        "Not one yourself: true holds the invitation for a manager (202, an invitation "
        "request); false refuses it (403).",
    )


class InvitationRequestSerializer(StrictModelSerializer):
    agency = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    requested_by = StrictCharField(source="requested_by.username")
    decided_by = StrictCharField(source="decided_by.username", default=None)

    class Meta:
        model = InvitationRequest
        fields = [
            "id",
            "agency",
            "reason",
            "report_requested",
            "status",
            "requested_by",
            "requested_at",
            "decided_by",
            "decided_at",
            "decision_reason",
        ]


class DeclineSerializer(serializers.Serializer):
    reason = StrictCharField(max_length=2000)


class WithdrawSerializer(serializers.Serializer):
    reason = StrictCharField(max_length=2000)


class ResponseSerializer(serializers.Serializer):
    response = serializers.ChoiceField(
        choices=[MeetingInvitation.Response.ATTENDING, MeetingInvitation.Response.APOLOGIES]
    )


class ReportSerializer(StrictModelSerializer):
    agency = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    author = StrictCharField(source="author.username", default=None)

    class Meta:
        model = AgencyReport
        fields = [
            "id",
            "agency",
            "author",
            "text",
            "shared_with_invitees",
            "submitted_at",
            "child_wishes",
            "wishes_not_obtained",
            "wishes_not_obtained_detail",
        ]


class ReportSubmitSerializer(serializers.Serializer):
    agency = StrictSlugField()
    text = StrictCharField(max_length=50000)
    shared_with_invitees = serializers.BooleanField(
        default=False,
        help_text=(
            "True to let every invited agency read the report. Left out, only the "
            "chair and the lead agency can read it: nothing is shared unless chosen."
        ),
    )
    child_wishes = StrictCharField(
        max_length=20000,
        allow_blank=True,
        default="",
        help_text="The child's wishes and feelings as your agency heard them (s17(4A), s47(5A)).",
    )
    wishes_not_obtained = serializers.ChoiceField(
        choices=WishesNotObtained.choices, allow_blank=True, default=""
    )
    wishes_not_obtained_detail = StrictCharField(max_length=5000, allow_blank=True, default="")


class AgendaItemSerializer(StrictModelSerializer):
    class Meta:
        model = AgendaItem
        fields = ["id", "position", "title", "minutes", "lead_only"]


class DissentSerializer(StrictModelSerializer):
    agency = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = MeetingDissent
        fields = ["id", "case", "person_name", "agency", "reason", "recorded_at"]


class MeetingActionSerializer(StrictModelSerializer):
    agency = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    owner = StrictCharField(
        source="owner.username",
        default=None,
        allow_null=True,
        read_only=True,
        help_text="Null until someone is named.",
    )

    class Meta:
        model = CaseAction
        fields = ["id", "case", "description", "agency", "owner", "due_on", "status"]


class AddendumSerializer(StrictModelSerializer):
    author = StrictCharField(source="author.username", default=None)

    class Meta:
        model = MeetingAddendum
        fields = ["id", "author", "text", "created_at"]


class RecordDetailSerializer(serializers.Serializer):
    meeting = MeetingSerializer()
    invitations = InvitationSerializer(many=True)
    reports = ReportSerializer(many=True)
    agenda_items = AgendaItemSerializer(many=True)
    dissents = DissentSerializer(many=True)
    actions = MeetingActionSerializer(many=True)
    addenda = AddendumSerializer(many=True)
    attendees = serializers.SerializerMethodField()

    @extend_schema_field(AttendeeSerializer(many=True))
    def get_attendees(self, detail: dict) -> list:
        return AttendeeSerializer(detail["attendees"], many=True).data


class MeetingDecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=MeetingCase.Decision.choices, allow_blank=True)
    category = StrictCharField(max_length=3, allow_blank=True, default="")
    decision_notes = StrictCharField(allow_blank=True, default="")
    next_review_on = BoundedDateField(
        required=False, allow_null=True, kind=DateKind.DUE, name="The review conference date"
    )
    first_core_group_on = BoundedDateField(
        required=False, allow_null=True, kind=DateKind.DUE, name="The first core group date"
    )


class RecordSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    attendance = serializers.DictField(
        child=serializers.ChoiceField(choices=MeetingInvitation.Attendance.choices), default=dict
    )
    minutes = serializers.DictField(child=StrictCharField(allow_blank=True), default=dict)
    decisions = serializers.DictField(child=MeetingDecisionSerializer(), default=dict)
    attendee_attendance = serializers.DictField(
        child=serializers.ChoiceField(choices=MeetingInvitation.Attendance.choices),
        default=dict,
        help_text="Whether each person invited by name came, by the attendee's id.",
    )


class DissentCreateSerializer(serializers.Serializer):
    case = serializers.UUIDField()
    person_name = StrictCharField(max_length=200)
    agency = StrictSlugField()
    reason = StrictCharField(max_length=5000)


class ActionCreateSerializer(serializers.Serializer):
    case = serializers.UUIDField()
    description = StrictCharField(max_length=2000)
    agency = StrictSlugField()
    owner = StrictCharField(max_length=150, required=False, allow_blank=True)
    due_on = BoundedDateField(kind=DateKind.DUE, name="The due date")


class AddendumCreateSerializer(serializers.Serializer):
    text = StrictCharField(max_length=20000)
