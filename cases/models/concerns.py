"""Concerns logged by any agency, their body maps, and the grants on them."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from agencies.models import Agency
from cases.dfe_codes import ReferralSource
from cases.models.case import Case
from cases.models.children import Child


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
    # The day it happened is always asked; the time only if the reporter gave
    # one. An unknown time stays unknown: ``observed_at`` is then empty and
    # ``observed_on`` alone says when (SPEC 3.3, a record never holds what
    # nobody said).
    observed_on = models.DateField(null=True, blank=True)
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
    # Who referred, as the CIN census counts it: chosen by the person deciding
    # (suggested from the reporting agency's kind); blank until a decision.
    referral_source = models.CharField(max_length=3, choices=ReferralSource.choices, blank=True)
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
        indexes = [
            models.Index(fields=["lead_agency", "status"]),
            # Keyset orders: "my concerns", and the API's newest-submitted first.
            models.Index(fields=["reported_by", "created_at", "id"], name="concern_mine_order"),
            models.Index(fields=["submitted_at", "id"], name="concern_submitted_order"),
            # The front door's queue, in its own order (``FRONT_DOOR_ORDER``):
            # just the concerns waiting, hundreds among a county's half million,
            # so the queue page and My work's counts never walk the decided ones.
            models.Index(
                "lead_agency",
                models.F("immediate_risk").desc(),
                "submitted_at",
                "id",
                name="concern_front_door_queue",
                condition=models.Q(status__in=["submitted", "awaiting_authorisation"]),
            ),
        ]

    def __str__(self) -> str:
        return self.reference or f"Draft concern {self.pk}"

    @property
    def child_name(self) -> str:
        return f"{self.child_first_name} {self.child_last_name}".strip()

    def observed_when(self) -> str:
        """When it happened, as the reporter said it: never an invented time."""
        if self.observed_at:
            local = timezone.localtime(self.observed_at)
            return f"{local:%-d %B %Y, %H:%M}"
        if self.observed_on:
            return f"{self.observed_on:%-d %B %Y}, time not recorded"
        return "not recorded"

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


class ConcernUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Concern, on_delete=models.CASCADE)


class ConcernGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Concern, on_delete=models.CASCADE)
