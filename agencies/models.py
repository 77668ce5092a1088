import uuid

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.validators import RegexValidator
from django.db import models

from agencies.roles import Role


class Agency(models.Model):
    class Kind(models.TextChoices):
        SOCIAL_CARE = "social_care", "Children's social care"
        POLICE = "police", "Police"
        HEALTH = "health", "Health"
        EDUCATION = "education", "Education"
        VOLUNTARY = "voluntary", "Voluntary and community"
        OTHER = "other", "Other"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # Where this agency's concerns go: the local authority's front door.
    default_lead_agency = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        limit_choices_to={"kind": "social_care"},
    )
    is_active = models.BooleanField(default=True)
    # Working days this agency has to answer a referral. Children's social care
    # is held to the statutory one working day whatever this says.
    referral_response_days = models.PositiveSmallIntegerField(default=5)
    # The DfE's three-digit code for a local authority (the CIN census header's
    # LEA); blank for agencies that are not one, or whose code nobody has entered.
    la_code = models.CharField(
        "DfE local authority code",
        max_length=3,
        blank=True,
        validators=[RegexValidator(r"^\d{3}$", "Enter the DfE's three-digit code, like 201")],
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name

    @property
    def is_lead_agency(self) -> bool:
        return self.kind == self.Kind.SOCIAL_CARE


class AgencyRoleGroup(models.Model):
    """The Django group that stands for one role in one agency."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="role_groups")
    role = models.CharField(max_length=20, choices=Role.choices)
    group = models.OneToOneField(Group, on_delete=models.CASCADE, related_name="agency_role")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "role"], name="unique_agency_role_group")
        ]

    def __str__(self) -> str:
        return self.group.name


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "agency", "role"], name="unique_membership")
        ]
        ordering = ["agency__name", "role"]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}, {self.agency}"


class Team(models.Model):
    """A team in an agency (a local authority's assessment or child protection
    team): its manager, and the workers cases are allocated to within it.

    Members are a plain many-to-many of users rather than a team on
    ``Membership``: a membership is one (user, agency, role) row, so a person
    who is both social worker and manager has two of them and would need the
    team twice, and a person may sit in two teams. Who is in a team is a fact
    about the person, not about one of their roles.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(max_length=100)
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_teams",
    )
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="teams", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["agency__name", "name"]
        constraints = [models.UniqueConstraint(fields=["agency", "name"], name="unique_team_name")]

    def __str__(self) -> str:
        return f"{self.name}, {self.agency}"
