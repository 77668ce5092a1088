"""Subject access requests (UK GDPR Art. 15; SPEC 3.9): the request, what was
gathered for it, what was redacted and why, and the bundles produced.

A request belongs to the local authority (a social care agency) that holds the
record; its information governance officers (auditors) work it together.

What was gathered is kept as it was read (``SubjectAccessItem``): the officer
redacts that text, the bundle is rendered from it, and the JSON export for the
file holds it unredacted, so what the person was sent can always be shown
against what the record said on the day it was gathered.
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from agencies.models import Agency
from cases.models import Child, HouseholdMember


class SubjectAccessRequest(models.Model):
    class Relationship(models.TextChoices):
        SUBJECT = "subject", "The person the information is about"
        PARENT = "parent", "Parent or person with parental responsibility"
        REPRESENTATIVE = "representative", "Solicitor or other representative, with authority"
        OTHER = "other", "Someone else, with the subject's authority"

    class SubjectKind(models.TextChoices):
        CHILD = "child", "A child"
        HOUSEHOLD_MEMBER = "household_member", "An adult in a child's household"

    class Status(models.TextChoices):
        LOGGED = "logged", "Logged"
        GATHERED = "gathered", "Gathered, being redacted"
        SENT = "sent", "Sent"

    class IdentityMethod(models.TextChoices):
        PHOTO_ID = "photo_id", "Photographic identity document seen"
        DOCUMENTS = "documents", "Proof of address and another document"
        KNOWN = "known", "Known to the service and confirmed in person"
        REPRESENTATIVE = "representative", "Representative's authority and subject's identity"
        OTHER = "other", "Other (described)"

    class SentMethod(models.TextChoices):
        SECURE_EMAIL = "secure_email", "Secure e-mail"
        POST = "post", "Recorded delivery"
        IN_PERSON = "in_person", "Collected in person"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(max_length=20, unique=True)
    # The controller: the local authority whose record is asked for.
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    requester_name = models.CharField(max_length=200)
    requester_relationship = models.CharField(max_length=20, choices=Relationship.choices)
    requester_contact = models.TextField(help_text="address, e-mail or telephone")
    subject_kind = models.CharField(max_length=20, choices=SubjectKind.choices)
    # The child the record is about, or whose household the adult belongs to.
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="+")
    household_member = models.ForeignKey(
        HouseholdMember, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    received_on = models.DateField()
    due_on = models.DateField(db_index=True)
    extension_months = models.PositiveSmallIntegerField(default=0)
    extension_reason = models.TextField(blank=True)
    extended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    extended_at = models.DateTimeField(null=True, blank=True)
    identity_checked_at = models.DateTimeField(null=True, blank=True)
    identity_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    identity_method = models.CharField(max_length=20, choices=IdentityMethod.choices, blank=True)
    identity_detail = models.TextField(blank=True)
    # When proof of identity the officer had to ask for arrived: the month runs from it.
    identity_evidence_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.LOGGED)
    gathered_at = models.DateTimeField(null=True, blank=True)
    gathered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sent_on = models.DateField(null=True, blank=True)
    sent_method = models.CharField(max_length=20, choices=SentMethod.choices, blank=True)
    sent_to = models.TextField(blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sent_bundle = models.ForeignKey(
        "SubjectAccessBundle", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "created_at"]
        indexes = [models.Index(fields=["agency", "status", "due_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(extension_months__lte=2), name="sar_extension_at_most_two_months"
            ),
            models.CheckConstraint(
                condition=models.Q(subject_kind="child", household_member__isnull=True)
                | models.Q(subject_kind="household_member", household_member__isnull=False),
                name="sar_household_subject_named",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def subject_name(self) -> str:
        if self.household_member_id:
            return self.household_member.name
        return self.child.full_name

    @property
    def identity_checked(self) -> bool:
        return self.identity_checked_at is not None

    @property
    def is_sent(self) -> bool:
        return self.status == self.Status.SENT


class SubjectAccessItem(models.Model):
    """One piece of what is held about the subject, as it read when gathered."""

    class Kind(models.TextChoices):
        IDENTITY = "identity", "Identity"
        HOUSEHOLD = "household", "Household and significant people"
        CASE = "case", "Case record"
        PROFESSIONALS = "professionals", "Professionals and agencies"
        CONCERN = "concern", "Concern"
        CHRONOLOGY = "chronology", "Chronology"
        NOTE = "note", "Case note"
        DOCUMENT = "document", "Document"
        STATUTORY = "statutory", "Assessments, enquiries and plans"
        ACTION = "action", "Action"
        MEETING = "meeting", "Meeting record"
        REFERRAL = "referral", "Referral"
        ACCESS_LOG = "access_log", "Who has viewed the record"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    request = models.ForeignKey(
        SubjectAccessRequest, on_delete=models.CASCADE, related_name="items"
    )
    position = models.PositiveIntegerField()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    case_reference = models.CharField(max_length=20, blank=True)
    # What it was gathered from, e.g. ("casenote", "<uuid>"): for the file, not for links.
    source_type = models.CharField(max_length=40)
    source_id = models.CharField(max_length=64)
    occurred_at = models.DateTimeField(null=True, blank=True)
    agency_name = models.CharField(max_length=200, blank=True)
    title = models.CharField(max_length=300)
    text = models.TextField(blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["request", "position"], name="sar_item_position")
        ]

    def __str__(self) -> str:
        return self.title


class SubjectAccessRedaction(models.Model):
    """Third-party or harmful data withheld from one item, with the reason.

    ``spans`` are [start, end) offsets into the item's text; an empty list with
    ``whole_item`` withholds the item entirely. The redacted words are not
    stored again here, and the schedule of redactions never shows them."""

    class Category(models.TextChoices):
        OTHER_CHILD = "other_child", "Another child"
        FAMILY_MEMBER = "family_member", "A family member or other third party"
        PROFESSIONAL = "professional", "A professional's personal details"
        SERIOUS_HARM = "serious_harm", "Information whose disclosure would cause serious harm"
        NOT_SUBJECT = "not_subject", "Not the subject's personal data"
        OTHER = "other", "Other exempt information"

    # The legal basis for each redaction: the Data Protection Act 2018, Schedule 2
    # (Part 1 para. 2 crime; Part 3 para. 16 protection of the rights of others;
    # Part 4 para. 19 legal professional privilege) and Schedule 3 (Part 2 health
    # data: para. 5 serious harm; Part 3 social work data: para. 10 expectations
    # and wishes, para. 11 serious harm, with the "serious harm test" of para. 7(2)).
    class Reason(models.TextChoices):
        THIRD_PARTY = (
            "dpa_sch2_p3_16",
            "Third-party personal data: DPA 2018 Sch. 2 Part 3 para. 16",
        )
        SOCIAL_WORK_HARM = (
            "dpa_sch3_p3_11",
            "Social work data, serious harm to anyone's physical or mental health: "
            "DPA 2018 Sch. 3 Part 3 para. 11",
        )
        HEALTH_HARM = (
            "dpa_sch3_p2_5",
            "Health data, serious harm (health professional's opinion): "
            "DPA 2018 Sch. 3 Part 2 para. 5",
        )
        CHILD_EXPECTATIONS = (
            "dpa_sch3_p3_10",
            "Given in the expectation it would not be disclosed to the person with "
            "parental responsibility: DPA 2018 Sch. 3 Part 3 para. 10",
        )
        CRIME = (
            "dpa_sch2_p1_2",
            "Prevention or detection of crime: DPA 2018 Sch. 2 Part 1 para. 2",
        )
        LEGAL_PRIVILEGE = (
            "dpa_sch2_p4_19",
            "Legal professional privilege: DPA 2018 Sch. 2 Part 4 para. 19",
        )
        OUT_OF_SCOPE = (
            "ukgdpr_art15_scope",
            "Not the subject's personal data: outside UK GDPR Art. 15",
        )

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    item = models.ForeignKey(SubjectAccessItem, on_delete=models.CASCADE, related_name="redactions")
    whole_item = models.BooleanField(default=False)
    spans = models.JSONField(default=list, blank=True)
    category = models.CharField(max_length=20, choices=Category.choices)
    reason = models.CharField(max_length=30, choices=Reason.choices)
    note = models.TextField(blank=True, help_text="why, in the officer's words")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["item__position", "created_at"]

    def __str__(self) -> str:
        return f"{self.get_category_display()} in {self.item_id}"


def bundle_upload_to(instance: SubjectAccessBundle, filename: str) -> str:
    # Nothing in the name says whose bundle it is or can be guessed from another.
    extension = filename.rsplit(".", 1)[-1]
    return f"subject-access/{timezone.now():%Y/%m}/{secrets.token_urlsafe(24)}.{extension}"


class SubjectAccessBundle(models.Model):
    """One production of the bundle: the redacted PDF and the unredacted JSON.

    The row in status ``queued`` is the outbox, as ``summaries.CaseSummary``:
    the render task executes it and a beat sweep re-dispatches lost ones."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RENDERING = "rendering", "Being produced"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    request = models.ForeignKey(
        SubjectAccessRequest, on_delete=models.CASCADE, related_name="bundles"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="per cent")
    progress_message = models.CharField(max_length=200, blank=True)
    failure_reason = models.CharField(max_length=300, blank=True)
    audit_reference = models.CharField(max_length=40, blank=True)
    pdf = models.FileField(upload_to=bundle_upload_to, blank=True, max_length=200)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    page_count = models.PositiveIntegerField(null=True, blank=True)
    export = models.FileField(upload_to=bundle_upload_to, blank=True, max_length=200)
    export_sha256 = models.CharField(max_length=64, blank=True)
    redaction_count = models.PositiveIntegerField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    redispatched_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    ready_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"Bundle for {self.request_id} ({self.status})"

    @property
    def reference(self) -> str:
        # What the audit log shows in its "Record" column.
        return self.request.reference

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.READY, self.Status.FAILED)

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY and bool(self.pdf)
