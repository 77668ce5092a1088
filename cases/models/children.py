"""Children: identity, address history and merged duplicates."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from agencies.models import Agency
from cases.dfe_codes import Ethnicity, UpnUnknown


class Sex(models.TextChoices):
    FEMALE = "F", "Female"
    MALE = "M", "Male"
    UNKNOWN = "U", "Not known"


class Child(models.Model):
    """A child as the lead agency knows them. Identity grows in the case-record work."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(max_length=20, unique=True)
    lead_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="children")
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    other_names = models.CharField(max_length=200, blank=True, help_text="aliases, known as")
    date_of_birth = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    nhs_number = models.CharField(max_length=10, blank=True, db_index=True)
    upn = models.CharField(max_length=13, blank=True, db_index=True)
    # Why there is no UPN (CIN census UPNunknown): only ever set when ``upn`` is blank.
    upn_unknown_reason = models.CharField(
        "Reason there is no UPN", max_length=3, choices=UpnUnknown.choices, blank=True
    )
    former_upn = models.CharField("Former UPN", max_length=13, blank=True)
    date_of_death = models.DateField(null=True, blank=True)
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=10, blank=True, db_index=True)
    school = models.CharField(max_length=200, blank=True)
    expected_date_of_birth = models.DateField(
        null=True, blank=True, help_text="for an unborn child"
    )
    gender = models.CharField(max_length=60, blank=True, help_text="as the child describes it")
    ethnicity = models.CharField(max_length=4, choices=Ethnicity.choices, default=Ethnicity.NOBT)
    # DfE disability codes. Empty: not yet recorded (the census cannot be returned
    # for the child until it is); ["NONE"]: recorded as no disability.
    disabilities = models.JSONField(default=list, blank=True, help_text="DfE disability codes")
    # Child protection plans the child had before this record holds any (here
    # or with another authority), as a worker found out; None: not known.
    cp_plans_before_record = models.PositiveSmallIntegerField(null=True, blank=True)
    language = models.CharField(max_length=60, blank=True, help_text="first language")
    version = models.PositiveIntegerField(default=1)
    # Set when this record was merged into another: it no longer stands alone.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Phonetic blocking keys, so finding a child is an indexed lookup on any database.
    first_name_key = models.CharField(max_length=40, blank=True, db_index=True)
    last_name_key = models.CharField(max_length=40, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name_plural = "children"
        constraints = [
            # A reason for no UPN beside a UPN would contradict it (census UPNunknown).
            models.CheckConstraint(
                condition=models.Q(upn="") | models.Q(upn_unknown_reason=""),
                name="child_upn_or_reason_not_both",
            ),
            models.CheckConstraint(
                condition=models.Q(date_of_death__isnull=True)
                | models.Q(date_of_birth__isnull=True)
                | models.Q(date_of_death__gte=models.F("date_of_birth")),
                name="child_dies_after_birth",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def disability_labels(self) -> list[str]:
        """The disabilities as the person reads them; empty when not yet recorded."""
        from cases.dfe_codes import Disability

        labels = dict(Disability.choices)
        return [labels.get(code, code) for code in self.disabilities or []]


class ChildAddress(models.Model):
    """An address the child used to live at, kept when the record's address
    changes: where a child has been matters (who else lived there, which
    authority knew them)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="address_history")
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=10, blank=True, db_index=True)
    # When the record first held this address; not when the family moved in,
    # which nobody may know.
    from_date = models.DateField()
    to_date = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-to_date", "-recorded_at"]
        verbose_name_plural = "child addresses"

    def __str__(self) -> str:
        return f"{self.postcode or self.address[:30]} until {self.to_date}"


class ChildMerge(models.Model):
    """Two records of the same child made one; what moved is kept, so it can be undone."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kept = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="merges_kept")
    merged = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="merges_merged")
    moved = models.JSONField(help_text="ids of the cases, concerns and household rows moved")
    reason = models.TextField()
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    merged_at = models.DateTimeField()
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-merged_at"]

    def __str__(self) -> str:
        return f"{self.merged} merged into {self.kept}"
