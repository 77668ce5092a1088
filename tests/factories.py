"""Factories for tests: real objects built through the services, as users would."""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from agencies.models import Agency
from agencies.services import membership_add
from cases import services
from cases.models import Case, Concern

User = get_user_model()
PASSWORD = "correct-horse-battery-staple"


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"agency-{n}")
    name = factory.LazyAttribute(lambda o: o.slug.replace("-", " ").title())
    kind = Agency.Kind.SOCIAL_CARE


def make_user(username: str, agency: Agency, *roles: str) -> Any:
    user, created = User.objects.get_or_create(
        username=username, defaults={"email": f"{username.replace('@', '.')}@example.org"}
    )
    if created:
        user.set_password(PASSWORD)
        user.save()
    for role in roles:
        membership_add(acting_user=None, user=user, agency=agency, role=role)
    return user


class World:
    """A lead agency, two schools, police and an unrelated authority, one user per role."""

    def __init__(self) -> None:
        self.la = AgencyFactory(slug="la-csc", name="Lead Children's Services")
        self.la.default_lead_agency = self.la
        self.la.save()
        self.school = AgencyFactory(
            slug="school",
            name="Hill School",
            kind=Agency.Kind.EDUCATION,
            default_lead_agency=self.la,
        )
        self.other_school = AgencyFactory(
            slug="other-school",
            name="River School",
            kind=Agency.Kind.EDUCATION,
            default_lead_agency=self.la,
        )
        self.police = AgencyFactory(
            slug="police", name="Police", kind=Agency.Kind.POLICE, default_lead_agency=self.la
        )
        self.other_la = AgencyFactory(slug="other-la", name="Other Children's Services")
        self.other_la.default_lead_agency = self.other_la
        self.other_la.save()

        self.teacher = make_user("practitioner@school", self.school, "practitioner")
        self.other_teacher = make_user(
            "practitioner@other-school", self.other_school, "practitioner"
        )
        self.officer = make_user("practitioner@police", self.police, "practitioner")
        self.social_worker = make_user("social_worker@la", self.la, "social_worker")
        self.manager = make_user("manager@la", self.la, "manager")
        self.chair = make_user("chair@la", self.la, "chair")
        self.la_admin = make_user("agency_admin@la", self.la, "agency_admin")
        self.auditor = make_user("auditor@la", self.la, "auditor")
        self.other_social_worker = make_user(
            "social_worker@other-la", self.other_la, "social_worker"
        )
        self.other_manager = make_user("manager@other-la", self.other_la, "manager")

    def unrelated_users(self) -> list:
        return [self.other_teacher, self.other_social_worker, self.other_manager]


def concern_fields(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "child_first_name": "Amelia",
        "child_last_name": "Hart",
        "child_date_of_birth": dt.date(2016, 5, 4),
        "child_age_years": None,
        "child_address": "1 Mill Lane, Northtown",
        "child_postcode": "NS1 2AB",
        "child_school": "Hill School",
        "child_nhs_number": "",
        "child_upn": "",
        "account": "Amelia said 'I don't want to go home because dad shouts'.",
        "observed_at": timezone.now() - dt.timedelta(hours=2),
        "categories": ["emotional"],
        "immediate_risk": False,
        "actions_taken": "",
        "family_aware": "no",
        "sharing_basis": "no_consent_risk",
        "sharing_reason": "Telling the family may increase the risk to Amelia.",
    }
    fields.update(overrides)
    return fields


def submit_concern(world: World, reporter=None, agency=None, **overrides: Any) -> Concern:
    reporter = reporter or world.teacher
    agency = agency or world.school
    return services.concern_submit(
        acting_user=reporter,
        reporting_agency=agency,
        lead_agency=world.la,
        fields=concern_fields(**overrides),
    )


def open_case_from_concern(world: World, concern: Concern, decision: str = "assessment") -> Case:
    """Triage a concern through to an authorised decision that opens a case."""
    child = services.child_create(
        acting_user=world.social_worker,
        lead_agency=world.la,
        first_name=concern.child_first_name,
        last_name=concern.child_last_name,
        date_of_birth=concern.child_date_of_birth,
    )
    services.concern_link_child(acting_user=world.social_worker, concern=concern, child=child)
    services.concern_record_decision(
        acting_user=world.social_worker,
        concern=concern,
        decision=decision,
        reason="Needs assessment.",
        referral_source=services.suggested_referral_source(concern),
    )
    concern = services.concern_authorise_decision(acting_user=world.manager, concern=concern)
    assert concern.case is not None
    return concern.case
