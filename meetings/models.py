"""Meetings and child protection conferences (SPEC 3.5).

A meeting covers one case or a sibling group's cases together; each child gets
their own decision, plan and review clock (``MeetingCase``). Who sees a
meeting is derived from the domain records here (chair, lead agency,
invitations) into guardian's direct-FK tables by ``meetings.grants``.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from agencies.models import Agency
from cases.models import Plan
from cases.models.wishes import ChildsWishes


class Meeting(models.Model):
    class Kind(models.TextChoices):
        STRATEGY = "strategy", "Strategy discussion"
        ICPC = "icpc", "Initial child protection conference"
        RCPC = "rcpc", "Review child protection conference"
        CORE_GROUP = "core_group", "Core group meeting"
        MDT = "mdt", "MDT / complex case meeting"
        # A child on another authority's protection plan who moves here: this
        # authority's plan starts at its transfer-in conference (Working Together
        # 2023, ch. 2), as an ICPC's would.
        TRANSFER_IN = "transfer_in", "Transfer-in child protection conference"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(max_length=20, unique=True)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    lead_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="chaired_meetings"
    )

    class Format(models.TextChoices):
        IN_PERSON = "in_person", "In person"
        VIDEO = "video", "Video call"
        TELEPHONE = "telephone", "Telephone"

    scheduled_at = models.DateTimeField(db_index=True)
    # How it is held: only a meeting in person needs a place (a telephone or
    # video strategy discussion has none, and nobody should have to invent one).
    format = models.CharField(max_length=10, choices=Format.choices, default=Format.IN_PERSON)
    location = models.CharField(max_length=200, blank=True)
    video_link = models.URLField(max_length=300, blank=True)
    # The meeting this one follows from (an ICPC from its strategy discussion):
    # the statutory clock runs from it.
    follows = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="followed_by"
    )
    due_on = models.DateField(null=True, blank=True)
    late_reason = models.TextField(blank=True)
    report_due_on = models.DateField(null=True, blank=True)
    purpose = models.TextField(blank=True)
    finalised_at = models.DateTimeField(null=True, blank=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    # A cancelled meeting keeps its record of who cancelled it and why; nothing
    # is owed under it any more and it never counts as held.
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancellation_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "cases_meeting"
        ordering = ["-scheduled_at"]
        # The meeting lists' keyset order (meetings.selectors.MEETING_ORDER).
        indexes = [
            models.Index(fields=["scheduled_at", "id"], name="meeting_list_order"),
            # Meetings still open (to come, or held and being written up) are
            # bounded by the work in hand, not by the county's history: "My
            # work" and the list's "to come" walk only these.
            models.Index(
                fields=["scheduled_at", "id"],
                name="meeting_open_order",
                condition=models.Q(finalised_at__isnull=True, cancelled_at__isnull=True),
            ),
        ]
        permissions = [
            ("view_meeting_lead", "See a meeting's closed items and every agency's report"),
            ("chair_meeting", "Run a meeting and finalise its record"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.get_kind_display()}"

    @property
    def is_finalised(self) -> bool:
        return self.finalised_at is not None

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def is_open(self) -> bool:
        """Still to be held or written up: neither finalised nor cancelled."""
        return self.finalised_at is None and self.cancelled_at is None

    @property
    def is_conference(self) -> bool:
        return self.kind in (self.Kind.ICPC, self.Kind.RCPC, self.Kind.TRANSFER_IN)

    @property
    def starts_plans(self) -> bool:
        """An initial or transfer-in conference: the only meetings that start a CP plan."""
        return self.kind in PLAN_STARTING

    @property
    def is_late(self) -> bool:
        from safeguard.workdays import local_date

        return bool(self.due_on and local_date(self.scheduled_at) > self.due_on)

    @property
    def working_days_late(self) -> int:
        from safeguard.workdays import local_date, working_days_between

        if not self.is_late:
            return 0
        return working_days_between(self.due_on, local_date(self.scheduled_at))


class MeetingMove(models.Model):
    """A meeting moved to another date or time, and why: the meeting page and the
    chronology keep the history of when it was meant to happen."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="moves")
    moved_from = models.DateTimeField()
    moved_to = models.DateTimeField()
    reason = models.TextField()
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    moved_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["moved_at"]

    def __str__(self) -> str:
        return f"{self.meeting} moved to {self.moved_to:%d %b %Y %H:%M}"


class MeetingCase(models.Model):
    """One child's place in a meeting, and the decision made for that child."""

    class Decision(models.TextChoices):
        SECTION_47 = "section_47", "Proceed to a section 47 enquiry"
        NO_SECTION_47 = "no_section_47", "No section 47 enquiry"
        PLAN = "plan", "A child protection plan is needed"
        NO_PLAN = "no_plan", "No child protection plan"
        CONTINUE_PLAN = "continue_plan", "Continue the child protection plan"
        END_PLAN = "end_plan", "End the child protection plan"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="subjects")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="meeting_links")
    decision = models.CharField(max_length=16, choices=Decision.choices, blank=True)
    category = models.CharField(max_length=3, blank=True)
    decision_notes = models.TextField(blank=True)
    first_core_group_on = models.DateField(null=True, blank=True)
    next_review_on = models.DateField(null=True, blank=True)

    class Meta:
        db_table = "cases_meetingcase"
        constraints = [
            models.UniqueConstraint(fields=["meeting", "case"], name="one_place_per_case")
        ]

    def __str__(self) -> str:
        return f"{self.case} at {self.meeting}"

    @property
    def category_label(self) -> str:
        """The category of abuse as people read it (the code is the DfE's)."""
        return Plan.Category(self.category).label if self.category else ""


# Which decisions each kind of meeting takes; the others take none.
DECISIONS_BY_KIND: dict[str, tuple[str, ...]] = {
    Meeting.Kind.STRATEGY: (MeetingCase.Decision.SECTION_47, MeetingCase.Decision.NO_SECTION_47),
    Meeting.Kind.ICPC: (MeetingCase.Decision.PLAN, MeetingCase.Decision.NO_PLAN),
    Meeting.Kind.RCPC: (MeetingCase.Decision.CONTINUE_PLAN, MeetingCase.Decision.END_PLAN),
    Meeting.Kind.TRANSFER_IN: (MeetingCase.Decision.PLAN, MeetingCase.Decision.NO_PLAN),
}
# The conferences whose decision starts a child protection plan (census rules
# 2883, 2885: a plan starts on the day of a conference, never otherwise).
PLAN_STARTING = (Meeting.Kind.ICPC, Meeting.Kind.TRANSFER_IN)


class MeetingInvitation(models.Model):
    class Response(models.TextChoices):
        AWAITING = "awaiting", "Not yet replied"
        ATTENDING = "attending", "Attending"
        APOLOGIES = "apologies", "Sent apologies"

    class Attendance(models.TextChoices):
        NOT_RECORDED = "", "Not recorded"
        PRESENT = "present", "Present"
        APOLOGIES = "apologies", "Apologies"
        DID_NOT_ATTEND = "did_not_attend", "Did not attend"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    # A named professional; blank means the agency is invited as a whole.
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    report_requested = models.BooleanField(default=True)
    response = models.CharField(max_length=10, choices=Response.choices, default="awaiting")
    responded_at = models.DateTimeField(null=True, blank=True)
    attendance = models.CharField(max_length=16, choices=Attendance.choices, blank=True)
    invited_at = models.DateTimeField(auto_now_add=True)
    # Why an agency with no part in the case was invited (inviting it shares the
    # child's record with it); blank for an agency already involved.
    beyond_case_reason = models.TextField(blank=True)
    # The lead agency's manager who authorised inviting an agency of another
    # local authority; empty for an agency of the case's own authority.
    authorised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        db_table = "cases_meetinginvitation"
        ordering = ["invited_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "agency"],
                condition=models.Q(person__isnull=True),
                name="one_agency_invitation",
            ),
            models.UniqueConstraint(
                fields=["meeting", "person"],
                condition=models.Q(person__isnull=False),
                name="one_person_invitation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person or self.agency} to {self.meeting}"


class InvitationRequest(models.Model):
    """An invitation to an agency of another local authority, waiting for a
    manager of the lead agency to authorise it (``services.invitations``).

    It is not an invitation: nothing reads it for access, so while it waits the
    agency is not involved in the case, sees nothing and is told nothing.
    Authorised, it becomes a ``MeetingInvitation``; declined, it stays, with the
    manager's reason, as the record of what was asked and answered.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a manager"
        AUTHORISED = "authorised", "Authorised"
        DECLINED = "declined", "Declined"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="invitation_requests"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    report_requested = models.BooleanField(default=True)
    # Why the agency is wanted; required unless it is already involved in the case.
    reason = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["requested_at"]
        constraints = [
            # A double submit, or two people asking at once, is one request.
            models.UniqueConstraint(
                fields=["meeting", "agency"],
                condition=models.Q(status="pending"),
                name="one_pending_request_per_agency",
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency} to {self.meeting} ({self.status})"


class AgencyReport(ChildsWishes):
    """An invited agency's report for the meeting, written in the product."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="reports")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField()
    # Shared reports are read by every invitee; the others by the chair and the
    # lead agency only (third-party information, for example). Nothing is
    # shared unless its author chooses to share it.
    shared_with_invitees = models.BooleanField(default=False)
    submitted_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "cases_agencyreport"
        ordering = ["submitted_at"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "agency"], name="one_report_per_agency")
        ]

    def __str__(self) -> str:
        return f"{self.agency} report for {self.meeting}"


class MeetingAttendee(models.Model):
    """Someone invited by name who is not (or need not be) a user: a parent or
    carer, the child, an advocate, or a professional from an involved agency.
    The record says who they are, in what role, and whether they came."""

    class Kind(models.TextChoices):
        PARENT = "parent", "Parent or carer"
        CHILD = "child", "The child"
        ADVOCATE = "advocate", "Advocate"
        FAMILY = "family", "Other family member or supporter"
        PROFESSIONAL = "professional", "Professional"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendees")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    # Their role in their own words: "Mother", "Health visitor", "Independent advocate".
    role = models.CharField(max_length=200)
    # A professional's agency (the case's involved agencies); blank for family.
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    attendance = models.CharField(
        max_length=16, choices=MeetingInvitation.Attendance.choices, blank=True
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="professional") | models.Q(agency__isnull=False),
                name="professional_attendee_has_agency",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.role}) at {self.meeting}"


class AgendaItem(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    minutes = models.TextField(blank=True)
    # A closed item (information the family or other agencies must not have)
    # is minuted for the chair and the lead agency only.
    lead_only = models.BooleanField(default=False)

    class Meta:
        db_table = "cases_agendaitem"
        ordering = ["position"]
        constraints = [
            # Two items added at once cannot share a place on the agenda.
            models.UniqueConstraint(
                fields=["meeting", "position"], name="one_agenda_item_per_position"
            )
        ]

    def __str__(self) -> str:
        return self.title


class MeetingDissent(models.Model):
    """A professional's disagreement with a decision, recorded in their name."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="dissents")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    person_name = models.CharField(max_length=200)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "cases_meetingdissent"
        ordering = ["recorded_at"]

    def __str__(self) -> str:
        return f"Dissent by {self.person_name}"


class MeetingAddendum(models.Model):
    """A correction after the record was finalised: the record itself never changes."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="addenda")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "cases_meetingaddendum"
        ordering = ["created_at"]
        verbose_name_plural = "meeting addenda"

    def __str__(self) -> str:
        return f"Addendum to {self.meeting}"


class MeetingUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Meeting, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        db_table = "cases_meetinguserobjectpermission"


class MeetingGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Meeting, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        db_table = "cases_meetinggroupobjectpermission"
