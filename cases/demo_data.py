"""The fictional local authority "Northshire", for demos, documentation and tests.

Everything is built through the services, acting as the demo users, so the
references, grants, chronology, audit rows and notifications are all real.
Names and places are invented; the random seed is fixed so every run builds
the same world.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from stdnum.gb import upn as upn_number

from agencies.models import Agency
from agencies.roles import Role
from agencies.services import membership_add
from cases import services
from cases.access import sync_case_grants
from cases.models import Case, ChronologyEntry, Concern, Involvement

AGENCIES = [
    ("northshire-csc", "Northshire Children's Services", Agency.Kind.SOCIAL_CARE),
    ("northshire-police", "Northshire Police", Agency.Kind.POLICE),
    ("northshire-health", "Northshire Health NHS Trust", Agency.Kind.HEALTH),
    ("hillside-primary", "Hillside Primary School", Agency.Kind.EDUCATION),
    ("riverside-academy", "Riverside Academy", Agency.Kind.EDUCATION),
    ("eastfield-csc", "Eastfield Children's Services", Agency.Kind.SOCIAL_CARE),
]

STAFF_NAMES = {
    Role.PRACTITIONER: ("Priya", "Okafor"),
    Role.SOCIAL_WORKER: ("Sam", "Whitlock"),
    Role.MANAGER: ("Morgan", "Ellery"),
    Role.CHAIR: ("Chris", "Adebayo"),
    Role.AGENCY_ADMIN: ("Alex", "Renshaw"),
    Role.AUDITOR: ("Jo", "Castellan"),
}

FIRST_NAMES = [
    "Ava",
    "Noah",
    "Lily",
    "Jayden",
    "Maya",
    "Oscar",
    "Isla",
    "Leo",
    "Freya",
    "Kai",
    "Ruby",
    "Theo",
    "Zara",
    "Alfie",
    "Poppy",
    "Finley",
    "Esme",
    "Reggie",
    "Nia",
    "Tyler",
    "Hollie",
    "Mason",
    "Amira",
    "Logan",
    "Skye",
    "Harvey",
    "Evie",
    "Ronan",
    "Layla",
    "Caleb",
    "Daisy",
    "Ibrahim",
    "Willow",
    "Archie",
    "Sienna",
    "Jude",
    "Maisie",
    "Callum",
    "Aria",
    "Ezra",
]
LAST_NAMES = [
    "Ashdown",
    "Brennick",
    "Carrow",
    "Dunmore",
    "Elston",
    "Fairweather",
    "Garside",
    "Holloway",
    "Inchley",
    "Jessop",
    "Kettering",
    "Langridge",
    "Marwood",
    "Northcott",
    "Oakhurst",
    "Pennock",
    "Quarrie",
    "Rushworth",
    "Stanforth",
    "Tilbrook",
]
TOWNS = ["Northtown", "Castlebridge", "Millbrook", "Harwick", "Fenby"]
STREETS = [
    "Mill Lane",
    "Station Road",
    "Orchard Close",
    "Church Street",
    "Beacon Way",
    "Willow Court",
    "Foundry Row",
    "Marsh Road",
]

ACCOUNTS = {
    "neglect": '{name} came to school hungry again and said: "There was no tea last night, '
    'mum was asleep." Uniform unwashed for the third week.',
    "physical": "{name} had a bruise on the upper arm. When asked, {name} said: "
    '"Dad grabbed me when I dropped the plates."',
    "emotional": '{name} is withdrawn and tearful. Said: "Nobody at home talks to me '
    "unless I'm in trouble.\"",
    "domestic_abuse": "Police attended a domestic incident at the home overnight; {name} "
    "was present and told officers they hid upstairs.",
    "online_harm": "{name} showed a teacher messages from an adult they met in a game, "
    "asking them to keep the chats secret.",
    "cce": "{name} has been seen with older teenagers at the station late at night and "
    "has new trainers and a phone the family cannot explain.",
    "self_harm": "{name} disclosed cutting their arms and said: \"It's the only thing "
    'that helps." School nurse saw healed marks.',
}

NOTES = [
    (
        "Home visit completed",
        "Home conditions improved; food in cupboards. Plan reviewed with mother.",
    ),
    ("School attendance update", "Attendance 78% this half term, up from 64%."),
    ("Health assessment", "Health visitor reports development on track; immunisations up to date."),
    ("Police information shared", "Two further call-outs to the address this quarter; no arrests."),
    ("Family network meeting", "Grandmother offered weekend care; agreed as part of the plan."),
]
LEAD_ONLY_NOTES = [
    (
        "Information from anonymous caller",
        "Caller reports a new partner with previous "
        "convictions staying at the address. To be checked with police; not shared yet.",
    ),
    ("Legal planning discussion", "Threshold not yet met for proceedings; review in four weeks."),
]


@dataclass
class Built:
    agencies: dict[str, Agency] = field(default_factory=dict)
    users: dict[str, object] = field(default_factory=dict)


def nhs_number(rng: random.Random) -> str:
    while True:
        digits = [rng.randint(0, 9) for _ in range(9)]
        total = sum(d * w for d, w in zip(digits, range(10, 1, -1), strict=True))
        check = 11 - total % 11
        check = 0 if check == 11 else check
        if check != 10:
            return "".join(map(str, digits)) + str(check)


def pupil_number(rng: random.Random) -> str:
    body = f"{rng.randint(800, 899)}{rng.randint(2000, 2999)}{rng.randint(10, 25)}" + (
        f"{rng.randint(1, 999):03d}"
    )
    return upn_number.calc_check_digit(body) + body


def ensure_agencies_and_users(password: str) -> Built:
    built = Built()
    with transaction.atomic():
        for slug, name, kind in AGENCIES:
            agency, _ = Agency.objects.update_or_create(
                slug=slug, defaults={"name": name, "kind": kind, "is_active": True}
            )
            built.agencies[slug] = agency
        for slug, agency in built.agencies.items():
            lead = "eastfield-csc" if slug == "eastfield-csc" else "northshire-csc"
            agency.default_lead_agency = built.agencies[lead]
            agency.save(update_fields=["default_lead_agency"])

        User = get_user_model()
        for slug, agency in built.agencies.items():
            for role in Role:
                username = f"{role.value}@{slug}"
                first, last = STAFF_NAMES[role]
                user, _ = User.objects.get_or_create(
                    username=username,
                    defaults={
                        "first_name": first,
                        "last_name": f"{last} ({agency.name.split()[0]})",
                        "email": f"{role.value}.{slug}@example.org",
                    },
                )
                user.set_password(password)
                user.is_active = True
                user.save()
                membership_add(acting_user=None, user=user, agency=agency, role=role)
                built.users[username] = user
    return built


def children_already_seeded(built: Built) -> bool:
    return built.agencies["northshire-csc"].children.exists()


class Story:
    """Builds one child's history through the services."""

    def __init__(self, built: Built, rng: random.Random, lead: str = "northshire-csc") -> None:
        self.built = built
        self.rng = rng
        self.lead = built.agencies[lead]
        prefix = lead.split("-")[0]
        self.social_worker = built.users[f"social_worker@{lead}"]
        self.manager = built.users[f"manager@{lead}"]
        self.prefix = prefix

    def concern(
        self,
        *,
        reporter: str,
        first: str,
        last: str,
        dob: dt.date,
        category: str,
        days_ago: int,
        immediate_risk: bool = False,
        postcode: str = "",
        identifiers: bool = False,
    ) -> Concern:
        user = self.built.users[reporter]
        agency = self.built.agencies[reporter.split("@")[1]]
        town = self.rng.choice(TOWNS)
        account = ACCOUNTS[category].format(name=first)
        submitted = timezone.now() - dt.timedelta(days=days_ago, hours=self.rng.randint(1, 8))
        concern = services.concern_submit(
            acting_user=user,
            reporting_agency=agency,
            lead_agency=self.lead,
            fields={
                "child_first_name": first,
                "child_last_name": last,
                "child_date_of_birth": dob,
                "child_address": f"{self.rng.randint(1, 120)} {self.rng.choice(STREETS)}, {town}",
                "child_postcode": postcode,
                "child_school": "Hillside Primary School"
                if dob.year > 2014
                else "Riverside Academy",
                "child_nhs_number": nhs_number(self.rng) if identifiers else "",
                "child_upn": pupil_number(self.rng) if identifiers else "",
                "account": account,
                "observed_at": submitted - dt.timedelta(hours=3),
                "categories": [category],
                "immediate_risk": immediate_risk,
                "actions_taken": "Spoke to the DSL and called 101." if immediate_risk else "",
                "family_aware": "no" if immediate_risk else "yes",
                "sharing_basis": "no_consent_harm" if immediate_risk else "consent",
                "sharing_reason": "Risk of significant harm." if immediate_risk else "",
            },
        )
        # The services stamp "now"; the demo needs a history spread over months.
        from safeguard import workdays

        Concern.objects.filter(pk=concern.pk).update(
            submitted_at=submitted,
            created_at=submitted,
            decision_due_at=workdays.due_at("referral_decision", submitted),
        )
        concern.refresh_from_db()
        return concern

    def child_for(self, concern: Concern, sex: str):
        existing = self.lead.children.filter(
            first_name=concern.child_first_name,
            last_name=concern.child_last_name,
            date_of_birth=concern.child_date_of_birth,
        ).first()
        if existing:
            return existing
        return services.child_create(
            acting_user=self.social_worker,
            lead_agency=self.lead,
            first_name=concern.child_first_name,
            last_name=concern.child_last_name,
            date_of_birth=concern.child_date_of_birth,
            sex=sex,
            nhs_number=concern.child_nhs_number,
            upn=concern.child_upn,
            address=concern.child_address,
            postcode=concern.child_postcode,
            school=concern.child_school,
        )

    def decide(self, concern: Concern, decision: str, reason: str, sex: str, authorise: bool):
        child = self.child_for(concern, sex)
        services.concern_link_child(acting_user=self.social_worker, concern=concern, child=child)
        concern = services.concern_record_decision(
            acting_user=self.social_worker, concern=concern, decision=decision, reason=reason
        )
        if authorise:
            started = timezone.now()
            concern = services.concern_authorise_decision(acting_user=self.manager, concern=concern)
            self._backdate(concern, started)
        return concern

    def _backdate(self, concern: Concern, started: dt.datetime) -> None:
        """Move what the services stamped "now" to the day the decision was made."""
        decided = concern.submitted_at + dt.timedelta(hours=20)
        Concern.objects.filter(pk=concern.pk).update(decided_at=decided, authorised_at=decided)
        if not concern.case_id:
            return
        made_now = ChronologyEntry.objects.filter(case_id=concern.case_id, created_at__gte=started)
        made_now.filter(kind="concern").update(occurred_at=concern.submitted_at)
        made_now.exclude(kind="concern").update(occurred_at=decided)
        Case.objects.filter(pk=concern.case_id, created_at__gte=started).update(opened_at=decided)
        Involvement.objects.filter(case_id=concern.case_id, started_at__gte=started).update(
            started_at=decided
        )
        return concern


REASONS = {
    "nfa": "Information shared with school; needs met by universal services.",
    "advice": "Advice given to the referrer on supporting the family; signposted to the "
    "family hub.",
    "early_help": "Family agreed to early help; referred to the family support team.",
    "assessment": "Cumulative concerns about care; a child and family assessment is needed.",
    "strategy": "Reasonable cause to suspect significant harm; strategy discussion today.",
}


def build_children(built: Built) -> dict[str, int]:
    rng = random.Random(2026)  # noqa: S311 - demo data, not security
    story = Story(built, rng)
    reporters = [
        "practitioner@hillside-primary",
        "practitioner@northshire-police",
        "practitioner@northshire-health",
    ]
    used: set[tuple[str, str]] = set()

    def new_child() -> tuple[str, str, dt.date, str, str]:
        while True:
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            if (first, last) not in used:
                used.add((first, last))
                break
        dob = dt.date(rng.randint(2010, 2022), rng.randint(1, 12), rng.randint(1, 28))
        sex = rng.choice(["F", "M"])
        letters = "ABDEFGHJLNPQRSTUWXY"
        postcode = (
            f"NS{rng.randint(1, 9)} {rng.randint(1, 9)}{rng.choice(letters)}{rng.choice(letters)}"
        )
        return first, last, dob, sex, postcode

    categories = list(ACCOUNTS)
    plan = (
        # (how many, decision or stage, authorise)
        [(8, "assessment", True), (6, "strategy", True)]
        + [(3, "nfa", True), (2, "advice", True), (3, "early_help", True)]
        + [(4, "assessment", False)]  # awaiting a manager's authorisation
        + [(8, None, False)]  # awaiting triage
    )
    allocated = 0
    for count, decision, authorise in plan:
        for _ in range(count):
            first, last, dob, sex, postcode = new_child()
            days_ago = rng.randint(20, 540) if authorise else rng.randint(0, 4)
            category = rng.choice(categories)
            concern = story.concern(
                reporter=rng.choice(reporters),
                first=first,
                last=last,
                dob=dob,
                category=category,
                days_ago=days_ago,
                immediate_risk=decision == "strategy" or (decision is None and rng.random() < 0.3),
                postcode=postcode,
                identifiers=rng.random() < 0.5,
            )
            if decision is None:
                continue
            concern = story.decide(concern, decision, REASONS[decision], sex, authorise)
            if concern.case_id:
                case = Case.objects.get(pk=concern.case_id)
                _enrich_case(story, case, rng, reporters, days_ago)
                if allocated < 6:
                    # There is no allocation service yet (it comes with the case
                    # record work); set it directly and re-derive the grants.
                    case.allocated_worker = story.social_worker
                    case.save(update_fields=["allocated_worker"])
                    sync_case_grants(case)
                    allocated += 1

    # One restricted case: a child of a member of staff. Only the allocated
    # worker is named; the team manager sees that it exists and may break glass.
    from cases.restrictions import case_restrict

    staff_child = Case.objects.filter(
        lead_agency=story.lead, allocated_worker=story.social_worker
    ).first()
    case_restrict(
        acting_user=story.manager,
        case=staff_child,
        reason="The child's parent works in the Northshire duty team.",
        named_users=[story.social_worker],
    )

    # Near-duplicates, so the matcher has something to show at the front door.
    twins = [
        ("Jayden", "Smith", "Jaydon", "Smyth", "M"),
        ("Hollie", "Marwood", "Holly", "Marwood", "F"),
    ]
    for first, last, typo_first, typo_last, sex in twins:
        dob = dt.date(2015, 6, 12)
        original = story.concern(
            reporter="practitioner@northshire-health",
            first=first,
            last=last,
            dob=dob,
            category="neglect",
            days_ago=200,
            postcode="NS2 4TW",
        )
        story.decide(original, "assessment", REASONS["assessment"], sex, True)
        story.concern(
            reporter="practitioner@hillside-primary",
            first=typo_first,
            last=typo_last,
            dob=dob,
            category="emotional",
            days_ago=1,
            postcode="NS2 4TW",
        )

    # Riverside logs concerns but is involved in no case: its staff see none.
    for _ in range(2):
        first, last, dob, _sex, postcode = new_child()
        story.concern(
            reporter="practitioner@riverside-academy",
            first=first,
            last=last,
            dob=dob,
            category="self_harm",
            days_ago=0,
            postcode=postcode,
        )

    # Drafts, half written.
    for reporter in ("practitioner@hillside-primary", "practitioner@northshire-police"):
        services.concern_save_draft(
            acting_user=built.users[reporter],
            reporting_agency=built.agencies[reporter.split("@")[1]],
            data={"child_first_name": ["Tommy"], "account": ["Saw Tommy crying at the gate"]},
        )

    # Eastfield, the neighbouring authority, has its own children.
    east = Story(built, rng, lead="eastfield-csc")
    for _ in range(3):
        first, last, dob, sex, _postcode = new_child()
        concern = east.concern(
            reporter="practitioner@eastfield-csc",
            first=first,
            last=last,
            dob=dob,
            category="neglect",
            days_ago=rng.randint(10, 90),
            postcode="EF1 3AA",
        )
        east.decide(concern, "assessment", REASONS["assessment"], sex, True)
    return {
        "children": built.agencies["northshire-csc"].children.count(),
        "cases": Case.objects.filter(lead_agency=built.agencies["northshire-csc"]).count(),
    }


def _enrich_case(story: Story, case: Case, rng: random.Random, reporters, days_ago: int) -> None:
    """More agencies and a realistic chronology on a case."""
    opened = case.opened_at
    if rng.random() < 0.6:
        other = rng.choice(reporters)
        extra = story.concern(
            reporter=other,
            first=case.child.first_name,
            last=case.child.last_name,
            dob=case.child.date_of_birth,
            category=rng.choice(list(ACCOUNTS)),
            days_ago=max(days_ago - rng.randint(5, 15), 0),
            postcode=case.child.postcode,
        )
        story.decide(extra, "assessment", "Linked to the open case.", case.child.sex, True)
    for i, (title, body) in enumerate(rng.sample(NOTES, 3)):
        ChronologyEntry.objects.create(
            case=case,
            occurred_at=min(opened + dt.timedelta(days=7 * (i + 1)), timezone.now()),
            agency=story.lead,
            kind=ChronologyEntry.Kind.NOTE,
            title=title,
            body=body,
            created_by=story.social_worker,
        )
    if rng.random() < 0.5:
        title, body = rng.choice(LEAD_ONLY_NOTES)
        ChronologyEntry.objects.create(
            case=case,
            occurred_at=opened + dt.timedelta(days=3),
            agency=story.lead,
            kind=ChronologyEntry.Kind.NOTE,
            title=title,
            body=body,
            visibility=ChronologyEntry.Visibility.LEAD_ONLY,
            created_by=story.social_worker,
        )
