"""Statutory work: episodes, assessments, section 47 enquiries, plans, closure."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from cases.dfe_codes import AssessmentFactor, ClosureReason, PrimaryNeed, ReferralSource
from cases.models.case import Case
from cases.models.wishes import ChildsWishes


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


class Assessment(ChildsWishes):
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
    # A review of the assessment within the service before it was authorised,
    # where there was one (CIN census AssessmentInternalReviewDate, optional).
    internal_review_on = models.DateField(null=True, blank=True)
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


class Section47Enquiry(ChildsWishes):
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
    # The strategy discussion that decided the enquiry (none if a worker started
    # it directly) and the initial conference it led to, which concluded it: the
    # ICPC clock runs from the first, the census's DateOfInitialCPC is the second.
    strategy_meeting = models.ForeignKey(
        "meetings.Meeting",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="section47_decided",
    )
    conference = models.ForeignKey(
        "meetings.Meeting",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="section47_concluded",
    )

    class Meta:
        ordering = ["-started_on"]
        indexes = [
            # The initial conferences owed (oversight.selectors.icpcs_owed, for
            # My work's count and the Conferences due page): enquiries with no
            # conference yet, open or concluded for one. Found instead among
            # every enquiry without a conference, 36 of each 37 of them closed
            # with no conference needed, at a county's scale.
            models.Index(
                fields=["started_on"],
                condition=models.Q(conference__isnull=True)
                & (models.Q(completed_on__isnull=True) | models.Q(outcome="icpc")),
                name="section47_icpc_owed",
            ),
        ]
        constraints = [
            # Census rule 8890: never two enquiries open at once on one case.
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(completed_on__isnull=True),
                name="one_open_section47_per_case",
            )
        ]

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
    # The initial category of abuse, as the plan started; a review conference
    # may change the latest one (blank: unchanged since the start).
    category = models.CharField(max_length=3, choices=Category.choices, blank=True)
    latest_category = models.CharField(max_length=3, choices=Category.choices, blank=True)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    next_review_on = models.DateField(null=True, blank=True, db_index=True)
    # A child protection plan's own frequencies (safeguard.workdays gives the
    # defaults; a change takes a reason, in the chronology): statutory visits
    # every N working days, core groups every N weeks after the first.
    visit_interval_working_days = models.PositiveSmallIntegerField(null=True, blank=True)
    core_group_interval_weeks = models.PositiveSmallIntegerField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-start_date"]
        indexes = [
            # The review conferences owed (oversight.selectors.reviews_owed, for
            # My work's count and the Conferences due page): current protection
            # plans with a review date, in date order. Found instead by combining
            # the index of every review date with that of every current plan,
            # 4 ms of a duty manager's My work at a county's scale, twice.
            models.Index(
                fields=["next_review_on"],
                condition=models.Q(kind="cp", end_date__isnull=True, next_review_on__isnull=False),
                name="plan_review_owed",
            ),
        ]
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
            # One current plan of each kind (the services also refuse a CIN and a
            # CP plan together, census rules 4001/4016/4017).
            models.UniqueConstraint(
                fields=["case", "kind"],
                condition=models.Q(end_date__isnull=True),
                name="one_current_plan_per_kind",
            ),
            # Census rule 8840: a child protection plan never starts and ends on one day.
            models.CheckConstraint(
                condition=~models.Q(kind="cp") | ~models.Q(end_date=models.F("start_date")),
                name="protection_plan_not_same_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.case}"

    @property
    def current_category(self) -> str:
        """The latest category of abuse: the initial one until a review changed it."""
        return self.latest_category or self.category


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
