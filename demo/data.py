"""The fictional local authority "Northshire", for demos, documentation and tests.

``seed_demo`` (SPEC 5) calls the two parts here, each in its own transaction:

- ``ensure_agencies_and_users``: the six agencies and one user per agency and
  role, ``<role>@<agency-slug>``, password from ``settings.DEMO_PASSWORD``. Runs
  every time and changes nothing when everything is already as it should be.
- ``build_children``: about forty Northshire children at every stage of the
  workflows that exist today, the census year's stories (``demo.year``: closed
  cases, plans from start to end, an unborn child, a transfer-in, referrals,
  documents), and three of Eastfield's own. Runs once: when
  ``children_already_seeded`` says the children are there, it is skipped.

Everything about children, concerns and cases is done through the services
(``cases.services``: concerns, notes, restrictions, allocation...),
acting as the demo users, so references, grants, chronology, audit rows and
notifications are all real. The services stamp "now"; the demo needs a history
spread over eighteen months, so afterwards the dates (and only the dates) are
moved back with ``update()``. Audit rows are never touched: they record when the
seed really ran.

Every name and place is invented. The random generator has a fixed seed, so
every run builds the same people in the same stages.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from stdnum.gb import upn as upn_number

from agencies.models import Agency, Team
from agencies.roles import Role
from agencies.services import membership_add
from cases import services
from cases.models import (
    Case,
    CaseNote,
    Child,
    ChronologyEntry,
    Concern,
    Involvement,
    InvolvementReason,
)
from cases.services import case_work
from cases.services.record import case_note_add
from cases.services.restrictions import case_restrict
from demo.census import LA_CODES, record_census_items, referral_source_for
from safeguard import workdays
from safeguard.notifications.models import Notification

NORTHSHIRE = "northshire-csc"
EASTFIELD = "eastfield-csc"
POLICE = "northshire-police"
HEALTH = "northshire-health"
HILLSIDE = "hillside-primary"
RIVERSIDE = "riverside-academy"

AGENCIES = [
    (NORTHSHIRE, "Northshire Children's Services", Agency.Kind.SOCIAL_CARE),
    (POLICE, "Northshire Police", Agency.Kind.POLICE),
    (HEALTH, "Northshire Health NHS Trust", Agency.Kind.HEALTH),
    (HILLSIDE, "Hillside Primary School", Agency.Kind.EDUCATION),
    (RIVERSIDE, "Riverside Academy", Agency.Kind.EDUCATION),
    (EASTFIELD, "Eastfield Children's Services", Agency.Kind.SOCIAL_CARE),
]
# Northshire's agencies send their concerns to Northshire's front door;
# Eastfield, the neighbouring authority, has its own.
FRONT_DOOR = {slug: EASTFIELD if slug == EASTFIELD else NORTHSHIRE for slug, _, _ in AGENCIES}

# One invented person per agency and role, in the order of agencies.roles.Role.
STAFF: dict[str, list[tuple[str, str]]] = {
    NORTHSHIRE: [
        ("Hannah", "Blackwood"),
        ("Sam", "Whitlock"),
        ("Morgan", "Ellery"),
        ("Chris", "Adebayo"),
        ("Alex", "Renshaw"),
        ("Jo", "Castellan"),
    ],
    POLICE: [
        ("Daniel", "Okonjo"),
        ("Rachel", "Tamworth"),
        ("Gareth", "Pryce"),
        ("Nadia", "Farouk"),
        ("Owen", "Lister"),
        ("Fiona", "Maclaren"),
    ],
    HEALTH: [
        ("Amina", "Rahman"),
        ("Kate", "Doherty"),
        ("Simon", "Ashcroft"),
        ("Helen", "Varga"),
        ("Tom", "Bexley"),
        ("Grace", "Nwosu"),
    ],
    HILLSIDE: [
        ("Laura", "Pemberton"),
        ("Ben", "Carver"),
        ("Angela", "Hurst"),
        ("Mark", "Delaney"),
        ("Zoe", "Fenwick"),
        ("Paul", "Stannard"),
    ],
    RIVERSIDE: [
        ("Imran", "Siddiqui"),
        ("Claire", "Dunstan"),
        ("Neil", "Oduya"),
        ("Sophie", "Lang"),
        ("Rhys", "Morgan-Evans"),
        ("Megan", "Holt"),
    ],
    EASTFIELD: [
        ("Leah", "Barraclough"),
        ("Jamal", "Osei"),
        ("Ruth", "Kingsley"),
        ("David", "Marsh"),
        ("Emma", "Thornbury"),
        ("Ian", "Calloway"),
    ],
}

# The children part is done if the demo's marker child (one of the near-duplicate
# pair, made by every version of this seed) is on Northshire's records, or if
# Northshire already holds this many children: then the data is not the demo's
# to add to.
MARKER_CHILD = ("Jayden", "Smith")
SEEDED_CHILDREN = 30

GIRLS = [
    "Ava", "Lily", "Maya", "Isla", "Freya", "Ruby", "Zara", "Poppy", "Esme", "Nia",
    "Amira", "Evie", "Layla", "Daisy", "Willow", "Sienna", "Maisie", "Aria", "Mia",
    "Phoebe", "Orla", "Aisha", "Keira", "Elsie", "Harriet", "Bethany",
]  # fmt: skip
BOYS = [
    "Noah", "Oscar", "Leo", "Kai", "Theo", "Alfie", "Finley", "Reggie", "Tyler",
    "Mason", "Logan", "Harvey", "Ronan", "Caleb", "Ibrahim", "Archie", "Jude",
    "Callum", "Ezra", "Dylan", "Kian", "Tomasz", "Bilal", "Lewis", "Jack", "Owen",
]  # fmt: skip
SURNAMES = [
    "Ashdown", "Brennick", "Carrow", "Dunmore", "Elston", "Fairweather", "Garside",
    "Holloway", "Inchley", "Jessop", "Kettering", "Langridge", "Northcott", "Oakhurst",
    "Quarrie", "Rushworth", "Stanforth", "Tilbrook", "Varley", "Whitcombe", "Nowak",
    "Mensah", "Hussain", "Kowalczyk", "Brierley", "Cattermole", "Dewhurst", "Ormerod",
    "Sowerby", "Lomax", "Haworth", "Greenhalgh", "Akhtar", "Adeyemi", "Duffy",
    "McAllister", "Fernandes", "Szymanski", "Pilling", "Royle", "Entwistle", "Catterall",
    "Hebden",
]  # fmt: skip

# Towns of Northshire and Eastfield with their (invented) postcode districts.
NORTHSHIRE_TOWNS = {
    "Northtown": ("NS1", "NS2"),
    "Castlebridge": ("NS3", "NS4"),
    "Millbrook": ("NS5",),
    "Harwick": ("NS6", "NS7"),
    "Fenby": ("NS8",),
}
EASTFIELD_TOWNS = {"Eastfield": ("EF1", "EF2"), "Brackenby": ("EF4",)}
STREETS = [
    "Mill Lane", "Station Road", "Orchard Close", "Church Street", "Beacon Way",
    "Willow Court", "Foundry Row", "Marsh Road", "Tanner's Walk", "Heron Drive",
    "Chapel Fold", "Coronation Terrace", "Linnet Grove", "Quarry Hill",
]  # fmt: skip
# Letters of a postcode's inward code, without X: the browser journey types a
# postcode with X for a child who must match nobody.
POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWY"
# The date of birth the browser journey types for a new child whom the matcher
# must not find in the demo data (tests/e2e/test_first_journey.py); no demo
# child is born within a few days of it.
RESERVED_DOB = dt.date(2017, 2, 14)
HILLSIDE_SCHOOL = "Hillside Primary School"
SCHOOLS = {
    NORTHSHIRE: {
        "primary": [HILLSIDE_SCHOOL, "Fenby CE Primary School", "Millbrook Infants"],
        "secondary": ["Castlebridge High School", "Harwick Community College"],
    },
    EASTFIELD: {
        "primary": ["St Aidan's Primary, Eastfield", "Brackenby Primary School"],
        "secondary": ["Eastfield Academy"],
    },
}

# What reporters say, in the child's own words where there are any. Non-graphic
# and invented. Keyed by category; each account fits a baby, a child at school,
# or any child.
ACCOUNTS: dict[str, list[tuple[str, str]]] = {
    "neglect": [
        (
            "school",
            '{name} came to school hungry for the third day this week and said: "There '
            "wasn't any tea last night, mum was asleep.\" Uniform has not been washed for "
            "several weeks.",
        ),
        (
            "baby",
            "At the development review the flat was very cold and there was little food in "
            "the kitchen. {name} had a sore nappy rash and has missed two health appointments.",
        ),
    ],
    "physical": [
        (
            "school",
            "{name} had a bruise on the upper arm. When asked, {name} said: "
            '"Dad grabbed me when I dropped the plates."',
        ),
        (
            "any",
            "{name} was brought to the walk-in centre with a bruise on the cheek. The account "
            "of how it happened changed twice during the appointment.",
        ),
    ],
    "emotional": [
        (
            "school",
            '{name} is withdrawn and often tearful. Said: "Nobody at home talks to me unless '
            "I'm in trouble.\"",
        ),
        (
            "school",
            "{name} said they are called stupid and useless at home and are often sent to "
            "their room without a meal.",
        ),
    ],
    "domestic_abuse": [
        (
            "school",
            "Officers attended a reported domestic incident at the home overnight. {name} was "
            'present and told officers: "I hid upstairs with my headphones on."',
        ),
        (
            "any",
            "Third domestic incident at the address in two months. {name} was in the house; "
            "the adults were shouting and an internal door was damaged.",
        ),
    ],
    "online_harm": [
        (
            "school",
            "{name} showed us messages from an adult met in an online game, asking {name} to "
            "move to a private app and keep the chats secret.",
        ),
    ],
    "cce": [
        (
            "school",
            "{name} has been seen with older teenagers at the railway station late at night, "
            "has new trainers and a phone the family cannot explain, and was missing from "
            "home twice this month.",
        ),
    ],
    "self_harm": [
        (
            "school",
            '{name} told the school nurse: "It\'s the only thing that helps." Healed marks '
            "seen on the forearm; {name} agreed to the nurse contacting home.",
        ),
    ],
    "other": [
        (
            "school",
            '{name} is often late and very tired. Said: "I have to get my little brother '
            "ready because mum's not well.\" Possible young carer.",
        ),
    ],
}


def account_for(rng: random.Random, category: str, stage: str, name: str) -> str:
    fitting = [
        text
        for fits, text in ACCOUNTS[category]
        if fits == "any" or (fits == "baby") == (stage == "baby")
    ]
    return rng.choice(fitting or [text for _, text in ACCOUNTS[category]]).format(name=name)


CATEGORIES_BY_AGE = {
    "baby": ["neglect", "physical", "domestic_abuse"],
    "primary": ["neglect", "physical", "emotional", "domestic_abuse", "online_harm", "other"],
    "secondary": ["cce", "self_harm", "online_harm", "emotional", "domestic_abuse"],
}
# What tends to end without a case: never, say, a bruise on a baby.
LOWER_LEVEL_BY_AGE = {
    "baby": ["neglect"],
    "primary": ["neglect", "emotional", "online_harm", "other"],
    "secondary": ["emotional", "online_harm", "other"],
}
ACTIONS_TAKEN = {
    POLICE: "Officers stayed until the other adult left; PPN submitted.",
    HEALTH: "Discussed with the named nurse for safeguarding; GP informed.",
    HILLSIDE: "Spoke to the DSL; {name} kept in school until collected.",
    RIVERSIDE: "DSL informed; {name} seen by the pastoral lead.",
    EASTFIELD: "Discussed with the duty senior practitioner.",
}

REASONS = {
    "nfa": [
        "Information shared with the school; needs met by universal services.",
        "Single incident, explained and consistent with the child's account; no further "
        "action by children's social care.",
    ],
    "advice": [
        "Advice given to the referrer on supporting the family; signposted to the family hub.",
    ],
    "early_help": [
        "Family agreed to early help; referred to the family support team.",
        "Needs are met below the threshold for statutory involvement; early help "
        "assessment offered and accepted by mother.",
    ],
    "refer_other": [
        "Emotional health needs: referred to CAMHS with the family's consent.",
    ],
    "assessment": [
        "Cumulative concerns about care; a child and family assessment is needed.",
        "Concerns about home conditions and the child's presentation; a section 17 "
        "assessment is needed to understand the family's needs.",
    ],
    "strategy": [
        "Reasonable cause to suspect significant harm; strategy discussion today with police "
        "and health.",
    ],
}
CONTINUING = "Child already open to children's social care; added to the ongoing work."

# Significant events recorded on cases: (agency kind that supplies it, title, body).
NOTES = [
    # (the kind of agency that tells it, which children it fits, title, body)
    (
        None,
        "any",
        "Home visit",
        "{name} seen at home and in their bedroom. Home conditions improved; food in the "
        "cupboards. Plan reviewed with mother.",
    ),
    (
        Agency.Kind.EDUCATION,
        "school",
        "School attendance update",
        "Attendance 81% this half term, up from 64%. Breakfast club place arranged.",
    ),
    (
        Agency.Kind.HEALTH,
        "baby",
        "Health visitor review",
        "Development broadly on track; immunisations now up to date.",
    ),
    (
        Agency.Kind.HEALTH,
        "school",
        "School nurse review",
        "{name} seen by the school nurse; height and weight on track, dental appointment booked.",
    ),
    (
        Agency.Kind.POLICE,
        "any",
        "Police information shared",
        "Two further call-outs to the address this quarter; no arrests.",
    ),
    (
        None,
        "any",
        "Family network meeting",
        "Maternal grandmother offered weekend care; agreed as part of the plan.",
    ),
    (
        None,
        "school",
        "Child's views",
        "{name} drew the family and said they feel safest at nan's house.",
    ),
    (
        Agency.Kind.HEALTH,
        "any",
        "GP information",
        "GP confirms mother has attended appointments about low mood; referred to talking "
        "therapies.",
    ),
    (
        None,
        "any",
        "Assessment progress",
        "Assessment under way; both parents engaging with the family support worker.",
    ),
]
LEAD_ONLY_NOTES = [
    (
        "Information from an anonymous caller",
        "Caller reports a new partner with previous convictions staying at the address. "
        "To be checked with police; not shared yet.",
    ),
    ("Legal planning discussion", "Threshold for proceedings not met; review in four weeks."),
    (
        "Manager's case direction",
        "Keep the assessment open; seek the father's views before it is completed.",
    ),
]


# Northshire's teams: (name, members by role). The manager manages both.
TEAMS = [
    ("Assessment team", ("social_worker", "manager")),
    ("Child protection team", ("manager",)),
]


@dataclass
class Built:
    agencies: dict[str, Agency] = field(default_factory=dict)
    users: dict[str, Any] = field(default_factory=dict)
    teams: dict[str, Team] = field(default_factory=dict)


# Agencies and users ---------------------------------------------------------------


def _save_changes(obj: Any, wanted: dict[str, Any]) -> None:
    """Set and save only what differs, so a second run changes nothing."""
    changed = [name for name, value in wanted.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, wanted[name])
    if changed:
        obj.save(update_fields=changed)


def _demo_password_hash(users: list[Any], password: str) -> str:
    """One hash for every demo user.

    Hashing is deliberately slow (Argon2, ~0.1 s); doing it for 36 users on every
    run made the command crawl. The demo users share one password (it is in the
    README), so they may share one hash too: it is checked once, and made anew
    only when the password changed.
    """
    current = {user.password for user in users}
    if len(current) == 1:
        (encoded,) = current
        if encoded and check_password(password, encoded):
            return encoded
    return make_password(password)


def ensure_agencies_and_users(password: str) -> Built:
    built = Built()
    with transaction.atomic():
        for slug, name, kind in AGENCIES:
            agency, _ = Agency.objects.get_or_create(
                slug=slug, defaults={"name": name, "kind": kind}
            )
            wanted = {"name": name, "kind": kind, "is_active": True}
            if slug in LA_CODES:  # the census header's LEA, so no --la-code is needed
                wanted["la_code"] = LA_CODES[slug]
            _save_changes(agency, wanted)
            built.agencies[slug] = agency
        for slug, agency in built.agencies.items():
            _save_changes(agency, {"default_lead_agency": built.agencies[FRONT_DOOR[slug]]})

        User = get_user_model()
        for slug in built.agencies:
            for role, (first, last) in zip(Role, STAFF[slug], strict=True):
                username = f"{role.value}@{slug}"
                user, _ = User.objects.get_or_create(username=username)
                _save_changes(
                    user,
                    {
                        "first_name": first,
                        "last_name": last,
                        "email": f"{role.value}.{slug}@example.org",
                        "is_active": True,
                    },
                )
                built.users[username] = user
        hashed = _demo_password_hash(list(built.users.values()), password)
        for username, user in built.users.items():
            _save_changes(user, {"password": hashed})
            role, slug = username.split("@", 1)
            # The system, not a person, adds them: role groups and permissions follow.
            membership_add(acting_user=None, user=user, agency=built.agencies[slug], role=role)
        _ensure_teams(built)
    return built


def _ensure_teams(built: Built) -> None:
    """Northshire's two teams, with the demo social worker and manager in them."""
    agency = built.agencies[NORTHSHIRE]
    manager = built.users[f"manager@{NORTHSHIRE}"]
    for name, roles in TEAMS:
        team, _ = Team.objects.get_or_create(agency=agency, name=name)
        _save_changes(team, {"manager": manager})
        # add() inserts only the missing rows: a second run changes nothing.
        team.members.add(*(built.users[f"{role}@{NORTHSHIRE}"] for role in roles))
        built.teams[name] = team


def allocate_to_teams(built: Built) -> None:
    """Allocated Northshire cases without a team go to their worker's team.

    For demo databases seeded before there were teams; a fresh seed allocates
    with the team already, so this finds nothing to do, and neither does a
    second run.
    """
    manager = built.users[f"manager@{NORTHSHIRE}"]
    waiting = Case.objects.filter(
        lead_agency=built.agencies[NORTHSHIRE],
        allocated_worker__isnull=False,
        team__isnull=True,
        status=Case.Status.OPEN,
    ).select_related("allocated_worker")
    for case in waiting:
        team = _team_for(built, case.allocated_worker)
        if team is None or not case_work.can_allocate(manager, case):
            continue  # a restricted case the manager is not named on stays as it is
        case_work.case_allocate(
            acting_user=manager, case=case, worker=case.allocated_worker, team=team
        )


def _team_for(built: Built, worker: AbstractBaseUser) -> Team | None:
    # The social worker's own team first; the manager is in both.
    for name, _ in TEAMS:
        team = built.teams.get(name)
        if team is not None and team.members.filter(pk=worker.pk).exists():
            return team
    return None


def children_already_seeded(built: Built) -> bool:
    children = built.agencies[NORTHSHIRE].children
    first, last = MARKER_CHILD
    marked = children.filter(first_name=first, last_name=last).exists()
    return marked or children.count() >= SEEDED_CHILDREN


# Identifiers ----------------------------------------------------------------------


def nhs_number(rng: random.Random) -> str:
    """A valid NHS number: nine digits and the modulus-11 check digit (never 10)."""
    while True:
        digits = [rng.randint(0, 9) for _ in range(9)]
        if digits[0] == 0:
            continue
        total = sum(d * w for d, w in zip(digits, range(10, 1, -1), strict=True))
        check = (11 - total % 11) % 11
        if check != 10:
            return "".join(map(str, digits)) + str(check)


# A UPN is valid only with a real DfE local authority number, so these are real
# codes; the establishment, year and serial after them are invented.
UPN_LA_NUMBERS = (801, 812, 823, 845, 872)


def pupil_number(rng: random.Random) -> str:
    """A valid UPN: check letter, LA number, establishment, year, serial."""
    while True:
        body = (
            f"{rng.choice(UPN_LA_NUMBERS)}{rng.randint(2000, 2999)}"
            f"{rng.randint(10, 25)}{rng.randint(1, 999):03d}"
        )
        number = upn_number.calc_check_digit(body) + body
        if upn_number.is_valid(number):
            return number


# People ---------------------------------------------------------------------------


@dataclass
class Person:
    first: str
    last: str
    dob: dt.date
    sex: str
    address: str
    postcode: str
    school: str
    nhs: str = ""
    upn: str = ""
    other_names: str = ""
    # This child's own random stream, so what is drawn for one child never
    # shifts what is drawn for the next (ages, and so stages, move with the date).
    rng: random.Random = field(default_factory=lambda: random.Random(2026), repr=False)  # noqa: S311

    @property
    def stage(self) -> str:
        age = (timezone.localdate() - self.dob).days // 365
        return "baby" if age < 4 else "primary" if age < 11 else "secondary"


class World:
    """One local authority's children, built through the services."""

    def __init__(self, built: Built, rng: random.Random, lead: str, used: set) -> None:
        self.built = built
        self.rng = rng
        self.lead = built.agencies[lead]
        self.social_worker = built.users[f"social_worker@{lead}"]
        self.manager = built.users[f"manager@{lead}"]
        self.towns = EASTFIELD_TOWNS if lead == EASTFIELD else NORTHSHIRE_TOWNS
        self.schools = SCHOOLS[lead]
        self.used = used  # names already given, across both authorities
        self.now = timezone.now()
        self.children: dict[tuple[str, str, dt.date], Child] = {}
        self.serial = 0

    # Invented people

    def person(
        self,
        *,
        ages: tuple[int, int] = (0, 16),
        last: str = "",
        home: Person | None = None,
        named: tuple[str, str, dt.date, str] | None = None,
    ) -> Person:
        """A new invented child; ``named`` gives (first, last, dob, sex) instead."""
        self.serial += 1
        rng = random.Random(f"2026:{self.lead.slug}:{self.serial}")  # noqa: S311 - demo
        if named:
            first, surname, dob, sex = named
        else:
            first, surname, sex = self._new_name(rng, last)
            dob = self._new_dob(rng, ages)
        if home is None:
            town = rng.choice(sorted(self.towns))
            district = rng.choice(self.towns[town])
            letters = "".join(rng.choice(POSTCODE_LETTERS) for _ in range(2))
            postcode = f"{district} {rng.randint(1, 9)}{letters}"
            address = f"{rng.randint(1, 140)} {rng.choice(STREETS)}, {town}"
        else:
            postcode, address = home.postcode, home.address
        person = Person(first, surname, dob, sex, address, postcode, school="", rng=rng)
        stage = person.stage
        if stage != "baby":
            person.school = rng.choice(self.schools[stage])
        if rng.random() < 0.7:
            person.nhs = nhs_number(rng)
        if stage != "baby" and rng.random() < 0.6:
            person.upn = pupil_number(rng)
        return person

    def _new_name(self, rng: random.Random, last: str) -> tuple[str, str, str]:
        for attempt in range(500):
            sex = rng.choice("FM")
            first = rng.choice(GIRLS if sex == "F" else BOYS)
            surname = last or rng.choice(SURNAMES)
            if (first, surname) in self.used:
                continue
            # Prefer names nobody has yet, so unrelated children rarely share one.
            taken = {name for pair in self.used for name in pair}
            if attempt < 100 and (first in taken or (not last and surname in taken)):
                continue
            break
        self.used.add((first, surname))
        return first, surname, sex

    def _new_dob(self, rng: random.Random, ages: tuple[int, int]) -> dt.date:
        today = timezone.localdate()
        while True:
            days = rng.randint(ages[0] * 365 + 30, ages[1] * 365 + 300)
            dob = today - dt.timedelta(days=days)
            if abs((dob - RESERVED_DOB).days) > 3:
                return dob

    def reporter_for(self, person: Person, category: str) -> str:
        if self.lead.slug == EASTFIELD:
            return f"practitioner@{EASTFIELD}"
        if category in ("domestic_abuse", "cce"):
            return f"practitioner@{POLICE}"
        if person.stage == "baby" or category in ("self_harm", "physical"):
            return f"practitioner@{HEALTH}"
        if person.school == HILLSIDE_SCHOOL:
            return f"practitioner@{HILLSIDE}"
        return f"practitioner@{HEALTH}"

    # Concerns

    def submit(
        self,
        person: Person,
        *,
        submitted: dt.datetime,
        category: str = "",
        reporter: str = "",
        immediate_risk: bool = False,
        age_only: bool = False,
    ) -> Concern:
        rng = person.rng
        on_record = (person.first, person.last, person.dob) in self.children
        if not on_record and person.dob > submitted.date() - dt.timedelta(days=60):
            # Ages are drawn as of today; a child reported a year ago was born by then.
            person.dob = submitted.date() - dt.timedelta(days=rng.randint(60, 400))
        category = category or rng.choice(CATEGORIES_BY_AGE[person.stage])
        reporter = reporter or self.reporter_for(person, category)
        slug = reporter.split("@", 1)[1]
        agency = self.built.agencies[slug]
        if slug == RIVERSIDE:
            person.school = "Riverside Academy"
        knows = {
            "nhs": person.nhs if agency.kind == Agency.Kind.HEALTH else "",
            "upn": person.upn if agency.kind == Agency.Kind.EDUCATION else "",
        }
        consent = rng.random() < 0.6 and not immediate_risk
        concern = services.concern_submit(
            acting_user=self.built.users[reporter],
            reporting_agency=agency,
            lead_agency=self.lead,
            fields={
                "child_first_name": person.first,
                "child_last_name": person.last,
                "child_date_of_birth": None if age_only else person.dob,
                "child_age_years": (timezone.localdate() - person.dob).days // 365
                if age_only
                else None,
                "child_address": person.address,
                "child_postcode": person.postcode,
                "child_school": person.school,
                "child_nhs_number": knows["nhs"],
                "child_upn": knows["upn"],
                "account": account_for(rng, category, person.stage, person.first),
                "observed_at": submitted - dt.timedelta(hours=rng.randint(1, 20)),
                "categories": [category],
                "immediate_risk": immediate_risk,
                "actions_taken": ACTIONS_TAKEN[slug].format(name=person.first),
                "family_aware": "yes" if consent else rng.choice(["no", "not_known"]),
                "sharing_basis": "consent"
                if consent
                else "no_consent_harm"
                if immediate_risk
                else "no_consent_risk",
                "sharing_reason": ""
                if consent
                else "Telling the family first could place the child at greater risk.",
            },
        )
        # The service stamped "now"; the demo needs a history spread over months.
        Concern.objects.filter(pk=concern.pk).update(
            submitted_at=submitted,
            created_at=submitted - dt.timedelta(minutes=rng.randint(5, 40)),
            decision_due_at=workdays.due_at("referral_decision", submitted),
        )
        # An immediate-risk alert went out when the concern came in.
        Notification.objects.filter(reference=concern.reference, kind="immediate_risk").update(
            created_at=submitted
        )
        concern.refresh_from_db()
        return concern

    def child_for(self, person: Person) -> Child:
        key = (person.first, person.last, person.dob)
        if key not in self.children:
            self.children[key] = services.child_create(
                acting_user=self.social_worker,
                lead_agency=self.lead,
                first_name=person.first,
                last_name=person.last,
                date_of_birth=person.dob,
                sex=person.sex,
                nhs_number=person.nhs,
                upn=person.upn,
                address=person.address,
                postcode=person.postcode,
                school=person.school,
                other_names=person.other_names,
            )
        return self.children[key]

    def link(self, concern: Concern, person: Person) -> Concern:
        return services.concern_link_child(
            acting_user=self.social_worker, concern=concern, child=self.child_for(person)
        )

    def decide(
        self,
        concern: Concern,
        person: Person,
        decision: str,
        *,
        authorise: bool = True,
        reason: str = "",
        late: bool = False,
        referral_source: str = "",
    ) -> Concern:
        """``referral_source``: who referred, where the story says (a transfer
        from another authority); otherwise as the duty worker would record it."""
        rng = self.rng
        concern = self.link(concern, person)
        concern = services.concern_record_decision(
            acting_user=self.social_worker,
            concern=concern,
            decision=decision,
            reason=reason or rng.choice(REASONS[decision]),
            referral_source=referral_source
            or referral_source_for(concern, person.stage, (concern.categories or [""])[0]),
        )
        hours = rng.randint(26, 60) if late else rng.randint(2, 18)
        decided = min(concern.submitted_at + dt.timedelta(hours=hours), self.now - _MINUTE * 30)
        authorised = min(decided + dt.timedelta(minutes=rng.randint(20, 180)), self.now - _MINUTE)
        Concern.objects.filter(pk=concern.pk).update(decided_at=decided)
        if not authorise:
            return concern
        started = timezone.now()
        concern = services.concern_authorise_decision(acting_user=self.manager, concern=concern)
        Concern.objects.filter(pk=concern.pk).update(decided_at=decided, authorised_at=authorised)
        if concern.case_id:
            # What this authorisation wrote, moved to the day it happened.
            made = ChronologyEntry.objects.filter(case_id=concern.case_id, created_at__gte=started)
            made.filter(kind=ChronologyEntry.Kind.CONCERN).update(occurred_at=concern.submitted_at)
            made.exclude(kind=ChronologyEntry.Kind.CONCERN).update(occurred_at=authorised)
            Case.objects.filter(pk=concern.case_id, created_at__gte=started).update(
                opened_at=authorised
            )
            Involvement.objects.filter(case_id=concern.case_id, started_at__gte=started).update(
                started_at=authorised
            )
            InvolvementReason.objects.filter(
                involvement__case_id=concern.case_id, added_at__gte=started
            ).update(added_at=authorised)
        _backdate_notifications(concern.reference, concern.submitted_at, decided, authorised)
        concern.refresh_from_db()
        return concern

    # Cases

    def note(
        self, case: Case, *, at: dt.datetime, title: str, body: str, source: str | None = None
    ) -> None:
        """A significant event in the chronology, from the agency that knows it."""
        agency, author = self.lead, self.social_worker
        visibility = ChronologyEntry.Visibility.SHARED
        if source == "lead_only":
            visibility = ChronologyEntry.Visibility.LEAD_ONLY
        elif source:
            involved = (
                case.involvements.filter(ended_at__isnull=True, agency__kind=source)
                .exclude(agency=self.lead)
                .select_related("agency")
                .first()
            )
            if involved:
                agency = involved.agency
                author = self.built.users[f"practitioner@{agency.slug}"]
        case_work.chronology_add(
            acting_user=author,
            case=case,
            agency=agency,
            occurred_at=at,
            title=title,
            body=body.format(name=case.child.first_name),
            lead_only=visibility == ChronologyEntry.Visibility.LEAD_ONLY,
        )

    def chronicle(self, case: Case) -> None:
        """Significant events between the case opening and today."""
        case.refresh_from_db()
        child = case.child
        # The case's own stream: which notes fit depends on the child's age today.
        rng = random.Random(f"2026:{self.lead.slug}:notes:{child.full_name}")  # noqa: S311
        stage = "baby" if (timezone.localdate() - child.date_of_birth).days < 4 * 365 else "school"
        fitting = [
            (source, title, body) for source, fits, title, body in NOTES if fits in ("any", stage)
        ]
        span = (self.now - case.opened_at).days
        count = max(1, min(5, span // 40))
        for i, (source, title, body) in enumerate(rng.sample(fitting, count)):
            at = case.opened_at + dt.timedelta(days=span * (i + 1) / (count + 1), hours=2)
            self.note(case, at=min(at, self.now - _MINUTE), title=title, body=body, source=source)
        if rng.random() < 0.5:
            title, body = rng.choice(LEAD_ONLY_NOTES)
            at = case.opened_at + dt.timedelta(days=min(span, 3), hours=4)
            self.note(
                case, at=min(at, self.now - _MINUTE), title=title, body=body, source="lead_only"
            )

    def allocate(self, case: Case, worker: AbstractBaseUser, team: str) -> None:
        started = timezone.now()
        case_work.case_allocate(
            acting_user=self.manager, case=case, worker=worker, team=self.built.teams[team]
        )
        # The service stamps "now"; the story allocated it the day after opening.
        at = min(case.opened_at + dt.timedelta(days=1), self.now - _MINUTE)
        ChronologyEntry.objects.filter(
            case=case, kind=ChronologyEntry.Kind.ALLOCATION, created_at__gte=started
        ).update(occurred_at=at)


_MINUTE = dt.timedelta(minutes=1)


def _backdate_notifications(
    reference: str | None, submitted: dt.datetime, decided: dt.datetime, authorised: dt.datetime
) -> None:
    """Notifications about a decided concern belong to its history: dated then, read then."""
    if not reference:
        return
    for kind, at in (
        ("immediate_risk", submitted),
        ("authorise_decision", decided),
        ("concern_outcome", authorised),
    ):
        Notification.objects.filter(reference=reference, kind=kind).update(
            created_at=at, read_at=at + dt.timedelta(hours=2)
        )


def _overdue(now: dt.datetime, days: int) -> dt.datetime:
    """A submission time ``days`` or more ago whose one-working-day clock has run out."""
    moment = now - dt.timedelta(days=days, hours=2)
    while workdays.due_at("referral_decision", moment) >= now:
        moment -= dt.timedelta(days=1)
    return moment


# The children -------------------------------------------------------------------------


def _record_sibling_household(ns: World, elder: Case, younger: Case) -> None:
    """The siblings' household, and a visit note on the elder's case that names
    the younger: the third-party data a subject access request must redact."""
    services.household_member_add(
        acting_user=ns.social_worker,
        case=elder,
        name="",
        relationship="sibling",
        lives_with_child=True,
        has_parental_responsibility=False,
        flags=[],
        sibling_reference=younger.child.reference,
    )
    services.household_member_add(
        acting_user=ns.social_worker,
        case=elder,
        name=f"Dawn {elder.child.last_name}",
        relationship="mother",
        lives_with_child=True,
        has_parental_responsibility=True,
        flags=["domestic_abuse"],
    )
    case_note_add(
        acting_user=ns.social_worker,
        case=elder,
        agency=ns.lead,
        text=(
            f"Home visit. {elder.child.first_name} was seen alone in their bedroom and said "
            f"the shouting has stopped since the police came. {younger.child.first_name} was "
            "asleep downstairs; mum said both children are sleeping better."
        ),
        sensitivity=CaseNote.Sensitivity.SHARED,
    )


def build_children(built: Built) -> None:
    """About forty Northshire children at every stage, and three of Eastfield's."""
    rng = random.Random(2026)  # noqa: S311 - demo data, not security
    # Names kept for the near-duplicate pairs, so no random child takes them.
    used = {MARKER_CHILD, ("Hollie", "Marwood"), ("Ellie-Mae", "Pennock")}
    ns = World(built, rng, NORTHSHIRE, used)
    now = ns.now

    def ago(days: float) -> dt.datetime:
        return now - dt.timedelta(days=days, hours=rng.randint(1, 7))

    # 1. Open cases after an assessment or strategy decision, over 18 months.
    cases: list[Case] = []
    for i in range(17):
        decision = "strategy" if i % 3 == 0 else "assessment"
        ages = (4, 10) if i < 7 else rng.choice([(0, 3), (4, 10), (11, 16)])
        person = ns.person(ages=ages)
        if i < 7:  # the school is one of the agencies on these cases
            person.school = HILLSIDE_SCHOOL
        concern = ns.submit(
            person, submitted=ago(530 - i * 30 + rng.randint(0, 10)), immediate_risk=i % 3 == 0
        )
        concern = ns.decide(concern, person, decision, late=i in (4, 11))
        cases.append(concern.case)

    # Siblings after a police call-out: one concern for each child, one strategy
    # discussion (households and linked sibling cases come with the case record).
    elder = ns.person(ages=(8, 10))
    younger = ns.person(ages=(2, 3), last=elder.last, home=elder)
    when = ago(75)
    for child in (elder, younger):
        concern = ns.submit(child, submitted=when, category="domestic_abuse", immediate_risk=True)
        cases.append(ns.decide(concern, child, "strategy").case)
    _record_sibling_household(ns, cases[-2], cases[-1])

    # 2. Several agencies on one case: each further concern makes its agency involved.
    for case in cases[:7]:
        person = _person_of(ns, case)
        opened_days = (now - case.opened_at).days
        for reporter, category in (
            (f"practitioner@{POLICE}", "domestic_abuse"),
            (f"practitioner@{HEALTH}", "neglect"),
            (f"practitioner@{HILLSIDE}", "emotional"),
        ):
            if case.involvements.filter(agency__slug=reporter.split("@")[1]).exists():
                continue
            concern = ns.submit(
                person,
                submitted=ago(max(opened_days - rng.randint(7, 40), 3)),
                reporter=reporter,
                category=category,
            )
            ns.decide(concern, person, "assessment", reason=CONTINUING)
    for case in cases[7:]:
        if rng.random() < 0.4:
            person = _person_of(ns, case)
            concern = ns.submit(person, submitted=ago(max((now - case.opened_at).days - 20, 4)))
            ns.decide(concern, person, "assessment", reason=CONTINUING)

    # 3. Decided without a case: no further action, advice, early help, another agency.
    for number, decision in enumerate(
        ["nfa"] * 4 + ["advice"] * 3 + ["early_help"] * 4 + ["refer_other"]
    ):
        ages = (11, 16) if decision == "refer_other" else rng.choice([(0, 3), (4, 10), (11, 16)])
        person = ns.person(ages=ages)
        days = rng.randint(15, 500)
        # The first no-further-action referral falls in this census year, so the
        # return shows one (ReferralNFA true).
        submitted = ago(min(days, 40) if number == 0 else days)
        category = "emotional"
        if decision != "refer_other":  # to CAMHS, for the child's emotional health
            category = person.rng.choice(LOWER_LEVEL_BY_AGE[person.stage])
        concern = ns.submit(person, submitted=submitted, category=category)
        ns.decide(concern, person, decision, late=rng.random() < 0.15)

    # 4. Decisions waiting for a manager's authorisation.
    for decision in ("assessment", "assessment", "strategy", "early_help", "nfa"):
        person = ns.person(ages=rng.choice([(0, 3), (4, 10), (11, 16)]))
        concern = ns.submit(
            person, submitted=ago(rng.randint(0, 2)), immediate_risk=decision == "strategy"
        )
        ns.decide(concern, person, decision, authorise=False)

    # 5. Awaiting triage: new today (some at immediate risk), and some overdue.
    for days, risk in ((0, True), (0, True), (0, False), (0, False), (1, False)):
        ns.submit(ns.person(ages=(0, 16)), submitted=ago(days), immediate_risk=risk)
    ns.submit(ns.person(ages=(11, 16)), submitted=ago(0), age_only=True)
    for days, risk in ((3, True), (5, False), (9, False)):
        ns.submit(ns.person(ages=(0, 16)), submitted=_overdue(now, days), immediate_risk=risk)
    # The child is found (a new record); the decision is still to come.
    fresh = ns.person(ages=(4, 10))
    ns.link(ns.submit(fresh, submitted=ago(0)), fresh)
    # A new concern about a child whose case is open, already linked by the duty worker.
    open_child = _person_of(ns, cases[9])
    ns.link(ns.submit(open_child, submitted=ago(1), reporter=f"practitioner@{POLICE}"), open_child)

    # 6. Near-duplicates: a child on record, and a new concern that spells them
    # differently, so the matcher has candidates to show, and why.
    year = timezone.localdate().year
    pairs = [
        # on record                          at triage
        (("Jayden", "Smith", dt.date(year - 11, 6, 12), "M"), ("Jaydon", "Smyth", 0, False)),
        (("Hollie", "Marwood", dt.date(year - 9, 3, 27), "F"), ("Holly", "Marwood", 0, False)),
        # day and month swapped; the same NHS number
        (("Ellie-Mae", "Pennock", dt.date(year - 6, 4, 3), "F"), ("Ellie", "Pennock", 1, True)),
    ]
    for (first, last, dob, sex), (typo_first, typo_last, swap, same_nhs) in pairs:
        original = ns.person(named=(first, last, dob, sex))
        original.school = HILLSIDE_SCHOOL
        if same_nhs and not original.nhs:
            original.nhs = nhs_number(original.rng)
        decision = "early_help" if first == "Ellie-Mae" else "assessment"
        concern = ns.submit(original, submitted=ago(rng.randint(120, 260)))
        ns.decide(concern, original, decision)
        variant = Person(**{**original.__dict__, "first": typo_first, "last": typo_last})
        if swap:
            variant.dob = dt.date(dob.year, dob.day, dob.month)
        if not same_nhs:
            variant.nhs = ""
        ns.submit(variant, submitted=ago(rng.randint(0, 1)), reporter=f"practitioner@{HEALTH}")

    # 7. Riverside logs concerns but is involved in no case: its staff see none.
    for days in (0, 2):
        person = ns.person(ages=(11, 16))
        ns.submit(
            person,
            submitted=_overdue(now, days) if days else ago(0),
            reporter=f"practitioner@{RIVERSIDE}",
            category="self_harm" if days else "online_harm",
        )

    # 8. Allocations, one restricted case, chronologies and case notes.
    northshire_cases = [Case.objects.get(pk=c.pk) for c in cases]
    for case in northshire_cases[:6]:
        ns.allocate(case, ns.social_worker, "Assessment team")
    ns.allocate(northshire_cases[6], ns.manager, "Child protection team")
    for case in northshire_cases:
        ns.chronicle(case)
    _case_notes(ns, northshire_cases[:3])
    _actions(ns, northshire_cases)
    _finish_old_assessments(ns, northshire_cases)
    from demo.meetings import build_meetings

    build_meetings(ns, [northshire_cases[0], northshire_cases[3]], northshire_cases[17:19])
    # A child of a member of staff: only the allocated worker is named; the team
    # manager sees that it exists and may break glass.
    case_restrict(
        acting_user=ns.manager,
        case=northshire_cases[5],
        reason="The child's parent works in the Northshire duty team.",
        named_users=[ns.social_worker],
    )

    # 9. Drafts, half written.
    drafts = [
        (
            HILLSIDE,
            {
                "child_first_name": ["Tommy"],
                "child_last_name": ["Ferrand"],
                "child_school": [HILLSIDE_SCHOOL],
                "account": ["Tommy was crying at the gate at home time and did not want to"],
                "categories": ["emotional"],
            },
        ),
        (
            POLICE,
            {
                "child_first_name": ["Bella"],
                "account": ["Called to a disturbance on Heron Drive; a girl of about six"],
            },
        ),
    ]
    for slug, data in drafts:
        services.concern_save_draft(
            acting_user=built.users[f"practitioner@{slug}"],
            reporting_agency=built.agencies[slug],
            data=data,
        )

    # 10. Eastfield, the neighbouring authority, with its own children and front door.
    ef = World(built, rng, EASTFIELD, used)
    for decision, days in (("assessment", 300), ("strategy", 120), ("assessment", 45)):
        person = ef.person(ages=(3, 14))
        concern = ef.submit(
            person, submitted=ago(days), immediate_risk=decision == "strategy", category="neglect"
        )
        concern = ef.decide(concern, person, decision)
        ef.chronicle(Case.objects.get(pk=concern.case_id))
    ef.submit(ef.person(ages=(0, 3)), submitted=ago(0), category="neglect")

    # 11. The rest of the census year: closed cases, a plan from start to end,
    # an unborn child, a child who moved in, referrals, documents (demo.year).
    from demo.year import build_year

    build_year(ns, northshire_cases, rng_factors)

    # 12. What the Children in Need census needs of each child's record.
    record_census_items(built)


def _actions(world: World, cases: list[Case]) -> None:
    """Open actions for the agencies on a few cases."""
    from cases.services.record import action_add

    users, agencies = world.built.users, world.built.agencies
    today = timezone.localdate()
    with_school = [
        c
        for c in cases
        if c.involvements.filter(agency__slug=HILLSIDE, ended_at__isnull=True).exists()
        and not c.is_restricted
    ]
    for i, case in enumerate(with_school[:4]):
        action_add(
            acting_user=world.social_worker,
            case=case,
            description="Daily check-in with the designated safeguarding lead; note any change.",
            agency=agencies[HILLSIDE],
            owner=users[f"practitioner@{HILLSIDE}"],
            due_on=today + dt.timedelta(days=3 + 4 * i),
        )
    for case in with_school[:2]:
        action_add(
            acting_user=world.social_worker,
            case=case,
            description="Share the history of call-outs to the address.",
            agency=agencies[POLICE]
            if case.involvements.filter(agency__slug=POLICE).exists()
            else world.lead,
            owner=None,
            due_on=today + dt.timedelta(days=5),
        )
    # Referrals between agencies, at every stage: demo.year.


def _finish_old_assessments(world: World, cases: list[Case]) -> None:
    """Assessments long past their 45 days were done in time, in this story;
    recent ones are still open, and one is left overdue for the dashboard."""
    from cases.models import Assessment
    from cases.services.statutory import assessment_authorise, assessment_complete
    from demo.child_work import demo_wishes

    today = timezone.localdate()
    overdue_left = False
    for case in cases:
        for assessment in Assessment.objects.filter(case=case, completed_on__isnull=True):
            if assessment.due_on >= today:
                continue
            if not overdue_left:
                overdue_left = True
                continue
            started = timezone.now()
            assessment_complete(
                acting_user=world.social_worker,
                assessment=assessment,
                summary="Needs identified; a child in need plan agreed with the family.",
                primary_need="N1",
                factors=rng_factors(case),
                **demo_wishes(case),
            )
            assessment_authorise(acting_user=world.manager, assessment=assessment)
            done = assessment.due_on - dt.timedelta(days=5)
            Assessment.objects.filter(pk=assessment.pk).update(
                started_on=min(assessment.started_on, done - dt.timedelta(days=40)),
                completed_on=done,
                authorised_on=done + dt.timedelta(days=2),
            )
            # The services stamped the chronology "now"; the story did it on time.
            made = ChronologyEntry.objects.filter(case=case, created_at__gte=started)
            made.update(occurred_at=dt.datetime.combine(done, dt.time(15, 0), tzinfo=dt.UTC))
            made.filter(title__startswith="Child and family assessment completed").update(
                title="Child and family assessment completed, within 45 working days"
            )


def rng_factors(case: Case) -> list[str]:
    """Census factors that fit the concerns on the case, the same on every run."""
    by_category = {
        "domestic_abuse": ["3B"],
        "neglect": ["16A"],
        "emotional": ["17A"],
        "physical": ["18C"],
        "sexual": ["19C"],
        "self_harm": ["15A", "4A"],
        "online_harm": ["20"],
        "cce": ["24A"],
        "cse": ["11A"],
        "other": ["20"],
    }
    factors: set[str] = set()
    for categories in case.concerns.values_list("categories", flat=True):
        for category in categories or []:
            factors.update(by_category.get(category, []))
    return sorted(factors) or ["21"]


def _person_of(world: World, case: Case) -> Person:
    child = case.child
    person = Person(
        child.first_name,
        child.last_name,
        child.date_of_birth,
        child.sex,
        child.address,
        child.postcode,
        child.school,
        child.nhs_number,
        child.upn,
        rng=random.Random(f"2026:{world.lead.slug}:{child.full_name}"),  # noqa: S311
    )
    world.children[(person.first, person.last, person.dob)] = child
    return person


def _case_notes(world: World, cases: list[Case]) -> None:
    """Case notes at each level of access, written by the agencies on the case."""
    texts = {
        CaseNote.Sensitivity.SHARED: "Joint visit arranged for next week; school to share "
        "attendance figures beforehand.",
        CaseNote.Sensitivity.INTERNAL: "Intelligence check on the mother's new partner "
        "requested; result to be shared once known.",
        CaseNote.Sensitivity.RESTRICTED: "Father has asked that his new address is not shared "
        "with the mother. Lead agency only.",
    }
    for case in cases:
        involved = {i.agency.slug: i.agency for i in case.involvements.select_related("agency")}
        for slug, sensitivity in (
            (HEALTH, CaseNote.Sensitivity.SHARED),
            (POLICE, CaseNote.Sensitivity.INTERNAL),
            (NORTHSHIRE, CaseNote.Sensitivity.RESTRICTED),
        ):
            if slug not in involved:
                continue
            role = "social_worker" if slug == NORTHSHIRE else "practitioner"
            note = case_note_add(
                acting_user=world.built.users[f"{role}@{slug}"],
                case=case,
                agency=involved[slug],
                text=texts[sensitivity],
                sensitivity=sensitivity,
            )
            at = min(case.opened_at + dt.timedelta(days=10), world.now - _MINUTE)
            CaseNote.objects.filter(pk=note.pk).update(created_at=at)
