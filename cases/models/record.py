"""The case record: chronology, notes, documents, actions, professionals and
the child's household."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from agencies.models import Agency
from cases.models.case import Case
from cases.models.children import Child


class HouseholdMember(models.Model):
    """A significant person in the child's life: parent, carer, sibling, other adult."""

    class Relationship(models.TextChoices):
        MOTHER = "mother", "Mother"
        FATHER = "father", "Father"
        STEP_PARENT = "step_parent", "Step-parent or parent's partner"
        CARER = "carer", "Carer or guardian"
        SIBLING = "sibling", "Sibling"
        GRANDPARENT = "grandparent", "Grandparent"
        OTHER_RELATIVE = "other_relative", "Other relative"
        OTHER_ADULT = "other_adult", "Other significant adult"

    class Flag(models.TextChoices):
        DOMESTIC_ABUSE = "domestic_abuse", "Domestic abuse"
        SUBSTANCE_MISUSE = "substance_misuse", "Substance misuse"
        MENTAL_HEALTH = "mental_health", "Mental health"
        RISK_TO_CHILDREN = "risk_to_children", "Known risk to children"
        VIOLENCE = "violence", "Violence to workers"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="household")
    name = models.CharField(max_length=200)
    relationship = models.CharField(max_length=20, choices=Relationship.choices)
    lives_with_child = models.BooleanField(default=False)
    has_parental_responsibility = models.BooleanField(default=False)
    flags = models.JSONField(default=list, blank=True)
    # A sibling who is on record themselves: their cases are linked cases.
    sibling = models.ForeignKey(
        Child, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["relationship", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_relationship_display()}) of {self.child}"

    def flag_labels(self) -> list[str]:
        labels = dict(self.Flag.choices)
        return [labels.get(code, code) for code in self.flags]


class CaseProfessional(models.Model):
    """A named professional working with the child, and how to reach them."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="professionals")
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=200, help_text="role or job title")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    # Set when the professional uses Safeguard, so they can be found from the case.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField()
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["agency__name", "name"]
        indexes = [models.Index(fields=["case", "ended_at"])]

    def __str__(self) -> str:
        return f"{self.name}, {self.role} ({self.agency})"


class ChronologyEntry(models.Model):
    """One significant event in the child's single timeline."""

    class Kind(models.TextChoices):
        CONCERN = "concern", "Concern"
        TRIAGE_DECISION = "triage_decision", "Triage decision"
        CASE_OPENED = "case_opened", "Case opened"
        CASE_CLOSED = "case_closed", "Case closed"
        ALLOCATION = "allocation", "Allocation"
        INVOLVEMENT = "involvement", "Agency involvement"
        REFERRAL = "referral", "Referral"
        MEETING = "meeting", "Meeting"
        VISIT = "visit", "Statutory visit"
        NOTE = "note", "Significant event"

    class Visibility(models.TextChoices):
        SHARED = "shared", "Shared with involved agencies"
        LEAD_ONLY = "lead_only", "Lead agency only"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="chronology")
    occurred_at = models.DateTimeField()
    agency = models.ForeignKey(Agency, null=True, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.SHARED
    )
    source_reference = models.CharField(max_length=40, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at", "-created_at"]
        indexes = [models.Index(fields=["case", "occurred_at"])]
        verbose_name_plural = "chronology entries"

    def __str__(self) -> str:
        return f"{self.occurred_at:%d %b %Y} {self.title}"


class CaseNote(models.Model):
    """A note on a case, with who may read it (SPEC 2's levels of access)."""

    class Sensitivity(models.TextChoices):
        SHARED = "shared", "Shared with every agency on the case"
        INTERNAL = "internal", "Internal to my agency"
        RESTRICTED = "restricted", "Restricted: lead agency only"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField()
    sensitivity = models.CharField(max_length=12, choices=Sensitivity.choices)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["case", "created_at"])]

    def __str__(self) -> str:
        return f"Note on {self.case} by {self.agency}"


class CaseDocument(models.Model):
    """A file on a case, stored through Django's storage API (never at a public
    URL) and read only through a permission-checked, audited download."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="documents")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(max_length=200)
    file = models.FileField(upload_to="documents/%Y/%m/")
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    sensitivity = models.CharField(max_length=12, choices=CaseNote.Sensitivity.choices)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.title


class CaseAction(models.Model):
    """Something someone must do for the child, by a date."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField()
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_on = models.DateField(db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Set when a meeting agreed the action, so its record lists what it agreed.
    meeting = models.ForeignKey(
        "meetings.Meeting", null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["status", "due_on"]
        indexes = [models.Index(fields=["case", "status"])]

    def __str__(self) -> str:
        return self.description[:60]
