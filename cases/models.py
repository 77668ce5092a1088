"""Children, cases, concerns, the chronology and who is involved.

Models hold data and invariants only; every change goes through
``cases.services`` and every read through ``cases.selectors``.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from agencies.models import Agency, Team
from cases.dfe_codes import AssessmentFactor, ClosureReason, Ethnicity, PrimaryNeed, ReferralSource


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
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=10, blank=True, db_index=True)
    school = models.CharField(max_length=200, blank=True)
    expected_date_of_birth = models.DateField(
        null=True, blank=True, help_text="for an unborn child"
    )
    gender = models.CharField(max_length=60, blank=True, help_text="as the child describes it")
    ethnicity = models.CharField(max_length=4, choices=Ethnicity.choices, default=Ethnicity.NOBT)
    disabilities = models.JSONField(default=list, blank=True, help_text="DfE disability codes")
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

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


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


class Case(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(max_length=20, unique=True)
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="cases")
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
    """Why an agency has access to a case. The domain record the grants derive from."""

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

    class Meta:
        ordering = ["started_at"]
        indexes = [models.Index(fields=["case", "agency"])]

    def __str__(self) -> str:
        return f"{self.agency} on {self.case}: {self.get_reason_display()}"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None


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


class Concern(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Awaiting triage"
        AWAITING_AUTHORISATION = "awaiting_authorisation", "Decision awaiting authorisation"
        COMPLETED = "completed", "Decision made"

    class Category(models.TextChoices):
        PHYSICAL = "physical", "Physical abuse"
        EMOTIONAL = "emotional", "Emotional abuse"
        SEXUAL = "sexual", "Sexual abuse"
        NEGLECT = "neglect", "Neglect"
        DOMESTIC_ABUSE = "domestic_abuse", "Domestic abuse"
        CSE = "cse", "Child sexual exploitation"
        CCE = "cce", "Child criminal exploitation"
        ONLINE_HARM = "online_harm", "Online harm"
        RADICALISATION = "radicalisation", "Radicalisation"
        FGM = "fgm", "Female genital mutilation (FGM)"
        SELF_HARM = "self_harm", "Self-harm"
        OTHER = "other", "Other"

    class FamilyAware(models.TextChoices):
        YES = "yes", "Yes"
        NO = "no", "No"
        NOT_KNOWN = "not_known", "Not known"

    class SharingBasis(models.TextChoices):
        CONSENT = "consent", "The family consents to this being shared"
        NO_CONSENT_RISK = (
            "no_consent_risk",
            "Not sought: asking would place the child at increased risk",
        )
        NO_CONSENT_HARM = (
            "no_consent_harm",
            "Not sought: the child is at risk of significant harm",
        )
        CONSENT_REFUSED = (
            "consent_refused",
            "Refused, but sharing is needed to protect the child",
        )

    class Decision(models.TextChoices):
        NO_FURTHER_ACTION = "nfa", "No further action"
        ADVICE = "advice", "Advice and signposting"
        EARLY_HELP = "early_help", "Early help"
        REFER_OTHER_AGENCY = "refer_other", "Refer to another agency"
        ASSESSMENT = "assessment", "Child and family assessment (section 17)"
        STRATEGY_DISCUSSION = "strategy", "Strategy discussion (section 47)"

    # Decisions that open (or continue) a case in children's social care.
    CASE_OPENING_DECISIONS = frozenset({Decision.ASSESSMENT, Decision.STRATEGY_DISCUSSION})

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(max_length=20, unique=True, null=True, blank=True)
    status = models.CharField(max_length=30, choices=Status.choices, default=Status.DRAFT)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reported_concerns"
    )
    reporting_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="reported_concerns"
    )
    lead_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="front_door_concerns"
    )
    # A draft keeps exactly what was typed, valid or not, so nothing is lost.
    draft_data = models.JSONField(default=dict, blank=True)

    # The child as the reporter knows them.
    child_first_name = models.CharField(max_length=100, blank=True)
    child_last_name = models.CharField(max_length=100, blank=True)
    child_date_of_birth = models.DateField(null=True, blank=True)
    child_age_years = models.PositiveSmallIntegerField(null=True, blank=True)
    child_address = models.TextField(blank=True)
    child_postcode = models.CharField(max_length=10, blank=True)
    child_school = models.CharField(max_length=200, blank=True)
    child_nhs_number = models.CharField(max_length=10, blank=True)
    child_upn = models.CharField(max_length=13, blank=True)

    account = models.TextField(blank=True, help_text="what was seen or heard")
    observed_at = models.DateTimeField(null=True, blank=True)
    categories = models.JSONField(default=list, blank=True)
    immediate_risk = models.BooleanField(default=False)
    actions_taken = models.TextField(blank=True)
    family_aware = models.CharField(max_length=10, choices=FamilyAware.choices, blank=True)
    sharing_basis = models.CharField(max_length=20, choices=SharingBasis.choices, blank=True)
    sharing_reason = models.TextField(blank=True)

    submitted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    decision_due_at = models.DateTimeField(null=True, blank=True)

    child = models.ForeignKey(
        Child, null=True, blank=True, on_delete=models.PROTECT, related_name="concerns"
    )
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="concerns"
    )
    decision = models.CharField(max_length=20, choices=Decision.choices, blank=True)
    decision_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    authorised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    authorised_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        permissions = [
            ("triage_concern", "Triage concerns at the front door"),
            ("authorise_triage_decision", "Authorise triage decisions"),
        ]
        indexes = [models.Index(fields=["lead_agency", "status"])]

    def __str__(self) -> str:
        return self.reference or f"Draft concern {self.pk}"

    @property
    def child_name(self) -> str:
        return f"{self.child_first_name} {self.child_last_name}".strip()

    def category_labels(self) -> list[str]:
        labels = dict(self.Category.choices)
        return [labels.get(code, code) for code in self.categories]


class BodyMapMark(models.Model):
    """An injury seen, placed on a front or back body outline and described."""

    class Side(models.TextChoices):
        FRONT = "front", "Front"
        BACK = "back", "Back"

    class Region(models.TextChoices):
        HEAD = "head", "Head"
        FACE = "face", "Face"
        NECK = "neck", "Neck"
        CHEST = "chest", "Chest or upper back"
        ABDOMEN = "abdomen", "Abdomen or lower back"
        LEFT_ARM = "left_arm", "Left arm"
        RIGHT_ARM = "right_arm", "Right arm"
        LEFT_HAND = "left_hand", "Left hand"
        RIGHT_HAND = "right_hand", "Right hand"
        GROIN = "groin", "Groin or buttocks"
        LEFT_LEG = "left_leg", "Left leg"
        RIGHT_LEG = "right_leg", "Right leg"
        LEFT_FOOT = "left_foot", "Left foot"
        RIGHT_FOOT = "right_foot", "Right foot"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="body_map")
    side = models.CharField(max_length=5, choices=Side.choices)
    region = models.CharField(max_length=12, choices=Region.choices)
    description = models.TextField()
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at"]

    def __str__(self) -> str:
        return f"{self.get_side_display()} {self.get_region_display()}"


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


class Episode(models.Model):
    """A period of children's social care involvement, as the CIN census counts it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="episodes")
    referral_date = models.DateField()
    referral_source = models.CharField(max_length=3, choices=ReferralSource.choices)
    primary_need = models.CharField(
        max_length=2, choices=PrimaryNeed.choices, default=PrimaryNeed.NOT_STATED
    )
    closure_date = models.DateField(null=True, blank=True)
    closure_reason = models.CharField(max_length=3, choices=ClosureReason.choices, blank=True)

    class Meta:
        ordering = ["-referral_date"]

    def __str__(self) -> str:
        return f"{self.case} from {self.referral_date}"


class Assessment(models.Model):
    """A child and family assessment, due 45 working days after the referral."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assessments")
    started_on = models.DateField()
    due_on = models.DateField(db_index=True)
    completed_on = models.DateField(null=True, blank=True)
    summary = models.TextField(blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    authorised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    authorised_on = models.DateField(null=True, blank=True)
    factors = models.JSONField(
        default=list, blank=True, help_text="DfE factors identified at the end of assessment"
    )

    class Meta:
        ordering = ["-started_on"]

    def __str__(self) -> str:
        return f"Assessment on {self.case} from {self.started_on}"

    def factor_labels(self) -> list[str]:
        labels = dict(AssessmentFactor.choices)
        return [f"{code} {labels.get(code, '')}".strip() for code in self.factors]


class Section47Enquiry(models.Model):
    """An enquiry under section 47 of the Children Act 1989."""

    class Outcome(models.TextChoices):
        ICPC = "icpc", "Concerns substantiated: initial child protection conference"
        CIN = "cin", "Concerns substantiated: child in need plan"
        NOT_SUBSTANTIATED = "not_substantiated", "Concerns not substantiated"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="section47_enquiries")
    started_on = models.DateField()
    completed_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)

    class Meta:
        ordering = ["-started_on"]

    def __str__(self) -> str:
        return f"Section 47 enquiry on {self.case} from {self.started_on}"


class Plan(models.Model):
    """A child in need or child protection plan, with its review clock."""

    class Kind(models.TextChoices):
        CHILD_IN_NEED = "cin", "Child in need plan"
        CHILD_PROTECTION = "cp", "Child protection plan"

    class Category(models.TextChoices):
        NEGLECT = "NEG", "Neglect"
        PHYSICAL = "PHY", "Physical abuse"
        EMOTIONAL = "EMO", "Emotional abuse"
        SEXUAL = "SAB", "Sexual abuse"
        MULTIPLE = "MUL", "Multiple"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="plans")
    kind = models.CharField(max_length=3, choices=Kind.choices)
    category = models.CharField(max_length=3, choices=Category.choices, blank=True)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    next_review_on = models.DateField(null=True, blank=True, db_index=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="plan_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="cp") | ~models.Q(category=""),
                name="protection_plan_has_category",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.case}"


class CaseClosure(models.Model):
    """Closing a case takes a reason and a manager's authorisation."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="closure_request")
    reason = models.CharField(max_length=3, choices=ClosureReason.choices)
    explanation = models.TextField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Closure of {self.case} requested"


# django-guardian with direct foreign keys: the generic tables would hold a row
# per object of every big table and need casts to join (ARCHITECTURE.md).
class CaseUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)


class CaseGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)


class ConcernUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Concern, on_delete=models.CASCADE)


class ConcernGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Concern, on_delete=models.CASCADE)
