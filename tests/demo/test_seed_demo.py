"""``seed_demo`` builds the Northshire of SPEC 5, once; ``issue_token`` prints a token."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import Client, override_settings
from django.utils import timezone
from stdnum.gb import nhs, upn

from agencies.models import Agency, Membership, Team
from agencies.roles import Role
from cases import selectors
from cases.matching import Subject, find_candidates
from cases.models import Case, CaseNote, Child, ChronologyEntry, Concern, Involvement
from safeguard.audit.models import AuditEvent
from safeguard.notifications.models import Notification

pytestmark = pytest.mark.django_db

PASSWORD = "seed-demo-test-password"
AGENCY_KINDS = {
    "northshire-csc": "social_care",
    "northshire-police": "police",
    "northshire-health": "health",
    "hillside-primary": "education",
    "riverside-academy": "education",
    "eastfield-csc": "social_care",
}
# The whole module shares one seeded database, so it hashes with one hasher, set
# here rather than trusted to each test's settings (Argon2 is deliberately slow).
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
USERNAMES = {f"{role}@{slug}" for role in Role.values for slug in AGENCY_KINDS}


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def snapshot() -> dict[str, object]:
    User = get_user_model()
    return {
        "agencies": Agency.objects.count(),
        "users": sorted(User.objects.values_list("username", "password", "first_name")),
        "memberships": Membership.objects.count(),
        "groups": Group.objects.count(),
        "children": Child.objects.count(),
        "cases": Case.objects.count(),
        "concerns": sorted(Concern.objects.values_list("status").order_by()),
        "chronology": ChronologyEntry.objects.count(),
        "involvements": Involvement.objects.count(),
        "notes": CaseNote.objects.count(),
        "notifications": Notification.objects.count(),
        "audit rows": AuditEvent.objects.count(),
        "teams": sorted(
            (t.name, t.manager.username, sorted(t.members.values_list("username", flat=True)))
            for t in Team.objects.select_related("manager")
        ),
        "case teams": sorted(
            Case.objects.filter(team__isnull=False).values_list("reference", "team__name")
        ),
    }


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """Seeded once for this module (building Northshire takes seconds), and rolled
    back at its end; each test still runs in its own savepoint."""
    with (
        django_db_blocker.unblock(),
        override_settings(DEMO_PASSWORD=PASSWORD, PASSWORD_HASHERS=FAST_HASHERS),
        transaction.atomic(),
    ):
        output = seed()
        yield output
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _same_hasher_as_the_seed(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


def user(username: str):
    return get_user_model().objects.get(username=username)


def test_a_second_run_changes_nothing(demo, settings):
    assert "Demo data built." in demo
    settings.DEMO_PASSWORD = PASSWORD
    before = snapshot()
    second = seed()
    assert snapshot() == before
    assert "already there" in second
    assert "agencies: 6" in second and "users:    36" in second


def test_it_prints_a_count_for_each_kind_of_thing_in_the_story(demo):
    """Issue 14: ``seed_demo`` says what it built, counted from the database."""
    closed = Case.objects.filter(lead_agency__slug="northshire-csc", status="closed").count()
    assert closed >= 3
    assert f"closed cases: {closed} (" in demo
    for label in (
        "NFA referrals: ",
        "unborn children: 1",
        "transfer-ins: 1",
        "plans: CIN ",
        "review conferences held ",
        "1 cancelled, 1 rescheduled",
        "visits: ",
        "wishes and feelings: ",
        "documents: ",
    ):
        assert label in demo, label
    referrals = next(line for line in demo.splitlines() if "referrals: " in line and "(" in line)
    for status in ("sent", "acknowledged", "accepted", "declined", "withdrawn", "closed"):
        assert f"{status} 0" not in referrals, referrals
    assert ", 0 errors," in demo  # the census line


def test_a_new_password_is_set_on_the_next_run(demo, settings):
    settings.DEMO_PASSWORD = "another-demo-password"
    seed()
    assert Client().login(username="chair@northshire-csc", password="another-demo-password")
    assert not Client().login(username="chair@northshire-csc", password=PASSWORD)


def test_agencies_and_their_front_doors(demo):
    agencies = {a.slug: a for a in Agency.objects.select_related("default_lead_agency")}
    assert {slug: a.kind for slug, a in agencies.items()} == AGENCY_KINDS
    assert agencies["northshire-csc"].name == "Northshire Children's Services"
    assert agencies["hillside-primary"].name == "Hillside Primary School"
    for slug, agency in agencies.items():
        door = "eastfield-csc" if slug == "eastfield-csc" else "northshire-csc"
        assert agency.default_lead_agency.slug == door, slug


def test_one_user_per_agency_and_role_who_can_sign_in(demo):
    users = get_user_model().objects.filter(username__in=USERNAMES)
    assert get_user_model().objects.count() == len(USERNAMES) == users.count() == 36
    for person in users:
        role, slug = person.username.split("@")
        assert person.email == f"{role}.{slug}@example.org"
        assert person.first_name and person.last_name
        memberships = list(person.memberships.values_list("agency__slug", "role", "is_active"))
        assert memberships == [(slug, role, True)]
        assert person.groups.filter(name=f"{slug}:{role}").exists()
        assert Client().login(username=person.username, password=PASSWORD), person.username
    assert not Client().login(username="manager@northshire-csc", password="not-the-password")
    names = {(p.first_name, p.last_name) for p in users}
    assert len(names) == 36  # a person each, not one name for a whole role


def test_concerns_at_every_stage(demo):
    northshire = Concern.objects.filter(lead_agency__slug="northshire-csc")
    statuses = set(northshire.values_list("status", flat=True))
    assert statuses == set(Concern.Status.values)
    assert Child.objects.filter(lead_agency__slug="northshire-csc").count() >= 35
    assert Case.objects.filter(lead_agency__slug="northshire-csc", status="open").count() >= 8

    waiting = northshire.filter(status=Concern.Status.SUBMITTED)
    now = timezone.now()
    assert waiting.filter(immediate_risk=True, decision_due_at__gte=now).exists()
    assert waiting.filter(decision_due_at__lt=now).count() >= 2  # overdue
    assert waiting.filter(reporting_agency__slug="riverside-academy").exists()

    completed = northshire.filter(status=Concern.Status.COMPLETED)
    for decision in ("nfa", "advice", "early_help"):
        assert completed.filter(decision=decision, case__isnull=True).exists(), decision
    for decision in ("assessment", "strategy"):
        assert completed.filter(decision=decision, case__isnull=False).exists(), decision
    # Histories are spread over the last eighteen months, never in the future.
    oldest = completed.order_by("submitted_at").first().submitted_at
    assert 300 < (now - oldest).days <= 550
    assert not ChronologyEntry.objects.filter(occurred_at__gt=now).exists()


def test_cases_have_agencies_workers_and_chronologies(demo):
    cases = Case.objects.filter(lead_agency__slug="northshire-csc")
    several = [
        c
        for c in cases
        if c.involvements.filter(level="involved").values("agency").distinct().count() >= 3
    ]
    assert len(several) >= 3
    assert cases.filter(allocated_worker__isnull=False).count() >= 3
    notes = ChronologyEntry.objects.filter(case__in=cases, kind=ChronologyEntry.Kind.NOTE)
    assert notes.filter(visibility="shared").exists()
    assert notes.filter(visibility="lead_only").exists()
    assert cases.filter(is_restricted=True).count() == 1


def test_northshire_teams_hold_the_allocated_cases(demo, settings):
    teams = {t.name: t for t in Team.objects.filter(agency__slug="northshire-csc")}
    assert set(teams) == {"Assessment team", "Child protection team"}
    worker, manager = user("social_worker@northshire-csc"), user("manager@northshire-csc")
    assert worker in teams["Assessment team"].members.all()
    assert all(manager in t.members.all() and t.manager == manager for t in teams.values())
    allocated = Case.objects.filter(
        lead_agency__slug="northshire-csc", allocated_worker__isnull=False
    )
    assert allocated.count() >= 3
    assert not allocated.filter(team__isnull=True).exists()
    for case in allocated.select_related("team"):
        assert case.team.members.filter(pk=case.allocated_worker_id).exists()
    # A database seeded before there were teams gets them on the next run.
    case = allocated.filter(is_restricted=False).first()
    Case.objects.filter(pk=case.pk).update(team=None)
    settings.DEMO_PASSWORD = PASSWORD
    seed()
    case.refresh_from_db()
    assert case.team is not None and case.team.members.filter(pk=case.allocated_worker_id).exists()


def test_identifiers_are_valid_and_near_duplicates_match(demo):
    children = Child.objects.all()
    with_nhs = [c.nhs_number for c in children if c.nhs_number]
    with_upn = [c.upn for c in children if c.upn]
    assert len(with_nhs) >= 10 and len(with_upn) >= 5
    assert all(nhs.is_valid(n) for n in with_nhs)
    assert all(upn.is_valid(u) for u in with_upn)

    worker = user("social_worker@northshire-csc")
    lead = Agency.objects.get(slug="northshire-csc")
    pool = selectors.children_at_front_door(worker, lead)
    waiting = Concern.objects.filter(status=Concern.Status.SUBMITTED, child__isnull=True)
    for first, last, expected in (
        ("Jaydon", "Smyth", "Jayden Smith"),
        ("Holly", "Marwood", "Hollie Marwood"),
        ("Ellie", "Pennock", "Ellie-Mae Pennock"),
    ):
        concern = waiting.get(child_first_name=first, child_last_name=last)
        subject = Subject(
            first_name=first,
            last_name=last,
            date_of_birth=concern.child_date_of_birth,
            postcode=concern.child_postcode,
            nhs_number=concern.child_nhs_number,
        )
        found = [c.child.full_name for c in find_candidates(pool, subject)]
        assert found and found[0] == expected, (first, found)


def test_who_sees_which_cases(demo):
    northshire = Case.objects.filter(lead_agency__slug="northshire-csc")
    eastfield = Case.objects.filter(lead_agency__slug="eastfield-csc")
    assert northshire.count() >= 8 and eastfield.count() >= 2

    worker = user("social_worker@northshire-csc")
    assert set(selectors.cases_for(worker)) == set(northshire)

    # Riverside is involved in no case, so its people see none.
    assert not Involvement.objects.filter(agency__slug="riverside-academy").exists()
    for role in Role.values:
        assert not selectors.cases_for(user(f"{role}@riverside-academy")).exists(), role
        # Eastfield's people never see Northshire's cases, and the reverse.
        seen = selectors.cases_for(user(f"{role}@eastfield-csc"))
        assert not seen.filter(pk__in=northshire).exists(), role
        for slug in AGENCY_KINDS:
            if slug != "eastfield-csc":
                assert (
                    not selectors.cases_for(user(f"{role}@{slug}"))
                    .filter(pk__in=eastfield)
                    .exists()
                ), (role, slug)
    assert set(selectors.cases_for(user("social_worker@eastfield-csc"))) == set(eastfield)

    for slug in AGENCY_KINDS:
        for role in ("agency_admin", "auditor"):
            assert not selectors.cases_for(user(f"{role}@{slug}")).exists(), (role, slug)


def test_issue_token_prints_the_same_token_each_time(demo):
    first, second = StringIO(), StringIO()
    call_command("issue_token", "practitioner@hillside-primary", stdout=first)
    call_command("issue_token", "practitioner@hillside-primary", stdout=second)
    token = first.getvalue().strip()
    assert len(token) == 40 and token == second.getvalue().strip()
    response = Client().get("/api/v1/cases/", headers={"authorization": f"Token {token}"})
    assert response.status_code == 200
    with pytest.raises(CommandError, match="nobody@nowhere"):
        call_command("issue_token", "nobody@nowhere")
