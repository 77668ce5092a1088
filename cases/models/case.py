"""The case, and who may see it: involvements, named access, break-glass and
the guardian grant tables derived from them."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from agencies.models import Agency, Team
from cases.models.children import Child


class Case(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(max_length=20, unique=True)
    # Indexed with the case's id and restriction beside it (``case_by_child``).
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="cases", db_index=False)
    lead_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="led_cases")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    opened_at = models.DateTimeField()
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    allocated_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="allocated_cases",
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases"
    )
    # A restricted case (a staff member's child, a high-profile family) is seen
    # only by named users; everyone else learns only that a restricted record exists.
    is_restricted = models.BooleanField(default=False)
    restricted_at = models.DateTimeField(null=True, blank=True)
    restriction_reason = models.TextField(blank=True)
    restriction_review_due = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["-updated_at"]
        indexes = [
            # A child's cases, read from the index alone for the access rule
            # (the case's id for its grants, whether it is restricted): the
            # search asks it of every child a block reads (2,193 for a health
            # trust's "Jack Colin" at a county's scale, a heap page each
            # before: 17.6 ms of PostgreSQL for the page, now 16).
            models.Index(fields=["child"], include=["id", "is_restricted"], name="case_by_child"),
            # The case lists' keyset order (cases.selectors.cases.CASE_ORDER).
            models.Index(fields=["updated_at", "id"], name="case_list_order"),
            # The case list sorted by when the case opened (cases.forms.filters).
            models.Index(fields=["opened_at", "id"], name="case_opened_order"),
            # Restricted cases are few: the notice that one exists reads only these.
            models.Index(
                fields=["reference"], condition=models.Q(is_restricted=True), name="case_restricted"
            ),
            # Open cases nobody holds, longest waiting first: a manager's count
            # and the dashboard read only these, never every open case.
            models.Index(
                fields=["opened_at", "id"],
                condition=models.Q(status="open", allocated_worker__isnull=True),
                name="case_unallocated_open",
            ),
            # The oversight dashboard's caseloads and unallocated work, for one
            # lead agency: read from the index alone (the restricted flag and
            # the id for the access rule are in it), never from every case.
            models.Index(
                fields=["lead_agency", "allocated_worker"],
                include=["is_restricted", "id"],
                condition=models.Q(status="open"),
                name="case_open_caseload",
            ),
            models.Index(
                fields=["lead_agency", "opened_at", "id"],
                include=["is_restricted"],
                condition=models.Q(status="open", allocated_worker__isnull=True),
                name="case_unallocated_by_lead",
            ),
            # The open restricted cases of a lead agency, by worker: the only
            # cases the dashboard's caseloads count live (the rest are counted
            # as they change, oversight.caseloads). Without it PostgreSQL
            # intersected the restricted cases with every open case's entry.
            models.Index(
                fields=["lead_agency", "allocated_worker"],
                condition=models.Q(status="open", is_restricted=True),
                name="case_open_restricted",
            ),
            # A lead agency's restricted cases: the dashboard asks the access
            # rule of these one by one, and of no other case.
            models.Index(
                fields=["lead_agency"],
                condition=models.Q(is_restricted=True),
                name="case_restricted_by_lead",
            ),
        ]
        permissions = [
            ("view_case_lead", "See the lead agency's own content on a case"),
            ("restrict_case", "Restrict a case to named people"),
            ("break_glass", "Break glass to see a restricted case"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["child"],
                condition=models.Q(status="open"),
                name="one_open_case_per_child",
            )
        ]

    def __str__(self) -> str:
        return self.reference


class Involvement(models.Model):
    """Why an agency has access to a case. The domain record the grants derive from.

    One current involvement per agency per case: a second reason to involve an
    agency already involved (invited to another meeting, a referral accepted) is
    added to it as an ``InvolvementReason``, so the case lists each agency once
    and ending the involvement ends every reason at once. ``reason`` and
    ``source_reference`` keep the reason it started with."""

    class Level(models.TextChoices):
        LEAD = "lead", "Lead agency"
        INVOLVED = "involved", "Involved agency"

    class Reason(models.TextChoices):
        LEAD_AGENCY = "lead_agency", "Lead agency for the case"
        CONCERN = "concern", "Logged a concern linked to the case"
        REFERRAL = "referral", "Accepted a referral on the case"
        MEETING = "meeting", "Invited to a meeting on the case"
        ADDED = "added", "Added by the lead agency"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="involvements")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="involvements")
    level = models.CharField(max_length=10, choices=Level.choices)
    reason = models.CharField(max_length=20, choices=Reason.choices)
    source_reference = models.CharField(max_length=40, blank=True)
    started_at = models.DateTimeField()
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Why it was ended, in the words of whoever ended it (or the system's step).
    end_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["started_at"]
        indexes = [
            models.Index(fields=["case", "agency"]),
            # The current involvements of a case with their agency and level, read
            # from the index alone: the restricted-record notice probes one case
            # after another for an involvement of the reader's agencies.
            models.Index(
                fields=["case"],
                include=["agency", "level"],
                condition=models.Q(ended_at__isnull=True),
                name="involvement_current_by_case",
            ),
        ]
        constraints = [
            # One current involvement per agency: the reasons are its children,
            # and two starts at once (a referral accepted while a meeting
            # invitation is sent) make one involvement with two reasons.
            models.UniqueConstraint(
                fields=["case", "agency"],
                condition=models.Q(ended_at__isnull=True),
                name="one_current_involvement_per_agency",
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency} on {self.case}: {self.get_reason_display()}"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None


class InvolvementReason(models.Model):
    """One reason an agency is involved: a concern, a referral, a meeting
    invitation (with its reference), or the lead agency adding it. A reason ends
    on its own (an invitation withdrawn); the involvement ends with its last."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    involvement = models.ForeignKey(Involvement, on_delete=models.CASCADE, related_name="reasons")
    reason = models.CharField(max_length=20, choices=Involvement.Reason.choices)
    source_reference = models.CharField(max_length=40, blank=True)
    added_at = models.DateTimeField()
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["added_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["involvement", "reason", "source_reference"],
                condition=models.Q(ended_at__isnull=True),
                name="one_current_involvement_reason",
            )
        ]

    def __str__(self) -> str:
        source = f" ({self.source_reference})" if self.source_reference else ""
        return f"{self.get_reason_display()}{source}"


class NamedAccess(models.Model):
    """A person named on a restricted case: the only people who see it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="named_access")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "user"], name="unique_named_access")]

    def __str__(self) -> str:
        return f"{self.user} named on {self.case}"


class BreakGlass(models.Model):
    """Emergency, time-limited access to a restricted case, with a written reason."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="break_glass")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.TextField()
    started_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["user", "expires_at"])]
        verbose_name_plural = "break-glass accesses"

    def __str__(self) -> str:
        return f"{self.user} broke glass on {self.case} until {self.expires_at:%H:%M}"


# django-guardian with direct foreign keys: the generic tables would hold a row
# per object of every big table and need casts to join (ARCHITECTURE.md).
class CaseUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)


class CaseGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)
