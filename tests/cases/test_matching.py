"""Finding a child among near-duplicates (the classic failure of these systems)."""

import datetime as dt
import random

import pytest

from cases.matching import (
    BLOCK_LIMIT,
    Subject,
    blocking_keys,
    candidate_pool,
    find_candidates,
    only_hidden_restricted,
    without_hidden_restricted,
)
from cases.models import Case, Child, ChildAddress
from cases.services import child_create
from tests.factories import World

pytestmark = pytest.mark.django_db

DOB = dt.date(2015, 3, 4)


@pytest.fixture
def children():
    world = World()
    make = lambda first, last, dob=DOB, postcode="NS1 2AB": child_create(  # noqa: E731
        acting_user=world.social_worker,
        lead_agency=world.la,
        first_name=first,
        last_name=last,
        date_of_birth=dob,
        postcode=postcode,
    )
    return {
        "william": make("William", "Turner"),
        "other_william": make("William", "Turner", dob=dt.date(2011, 9, 20), postcode="NS9 9ZZ"),
        "amy": make("Amy", "Smith-Jones", dob=dt.date(2016, 7, 1)),
        "noise": make("Oliver", "Brennick", dob=dt.date(2014, 1, 1), postcode="NS5 5AA"),
    }


def ranked(subject):
    return find_candidates(Child.objects.all(), subject)


def names(candidates):
    return [(c.child.first_name, c.child.last_name, c.child.date_of_birth) for c in candidates]


def test_typos_in_both_names(children):
    top = ranked(Subject(first_name="Wiliam", last_name="Tunrer", date_of_birth=DOB))[0]
    assert top.child == children["william"]
    assert "same date of birth" in top.reasons


def test_swapped_first_and_last_names(children):
    top = ranked(Subject(first_name="Turner", last_name="William", date_of_birth=DOB))[0]
    assert top.child == children["william"]
    assert "first and last names swapped" in top.reasons


def test_nickname(children):
    top = ranked(Subject(first_name="Bill", last_name="Turner", date_of_birth=DOB))[0]
    assert top.child == children["william"]
    assert "first name is a known short form" in top.reasons


def test_double_barrelled_surname(children):
    top = ranked(Subject(first_name="Amy", last_name="Smith", date_of_birth=dt.date(2016, 7, 1)))[0]
    assert top.child == children["amy"]
    assert "shares part of a double-barrelled surname" in top.reasons


def test_same_name_different_date_of_birth_ranks_below_the_real_match(children):
    candidates = ranked(Subject(first_name="William", last_name="Turner", date_of_birth=DOB))
    assert [c.child for c in candidates[:2]] == [children["william"], children["other_william"]]
    assert "different date of birth" in candidates[1].reasons
    assert candidates[0].score > candidates[1].score


def test_day_and_month_swapped_in_the_date_of_birth(children):
    top = ranked(
        Subject(first_name="William", last_name="Turner", date_of_birth=dt.date(2015, 4, 3))
    )[0]
    assert top.child == children["william"]
    assert "date of birth differs by a likely typo" in top.reasons


def test_identifiers_decide(children):
    Child.objects.filter(pk=children["noise"].pk).update(nhs_number="9434765919")
    top = ranked(Subject(first_name="Someone", last_name="Else", nhs_number="9434765919"))[0]
    assert top.child == children["noise"] and top.reasons == ["same NHS number"]


def test_nobody_matches_a_stranger(children):
    assert (
        ranked(Subject(first_name="Zed", last_name="Quorn", date_of_birth=dt.date(2020, 1, 1)))
        == []
    )


def test_a_postcode_the_child_lived_at_before_still_finds_them():
    from cases.services.children import child_update
    from tests.factories import open_case_from_concern, submit_concern

    world = World()
    case = open_case_from_concern(
        world, submit_concern(world, child_first_name="Kayden", child_last_name="Moss")
    )
    child = case.child
    for postcode in ("NS7 7AA", "NS8 8BB"):  # on record at one address, then moved
        child_update(
            acting_user=world.social_worker,
            child=child,
            expected_version=child.version,
            fields={"address": f"{postcode} Street", "postcode": postcode},
        )
    # A new concern knows only the first name and the old postcode.
    found = find_candidates(Child.objects.all(), Subject(first_name="Kayden", postcode="ns7 7aa"))
    assert [c.child for c in found] == [child]
    assert "lived at this postcode before" in found[0].reasons


# Among a crowd ---------------------------------------------------------------------

CROWD_FIRST_NAMES = [
    "Aaron", "Abigail", "Adam", "Alfie", "Amelia", "Archie", "Ava", "Ben", "Charlie", "Chloe",
    "Daniel", "Ella", "Emily", "Ethan", "Freya", "George", "Grace", "Harry", "Isla", "Jack",
    "Jacob", "James", "Lily", "Mia", "Noah", "Oliver", "Olivia", "Oscar", "Poppy", "Ruby",
    "Sophie", "Thomas", "Wilfred", "Willow", "Walter",
]  # fmt: skip
TRUE_DOB = dt.date(2015, 3, 4)


@pytest.fixture
def crowd():
    """300 Smiths of every common first name and age, twenty of them sharing the
    true child's birthday and some their postcode, plus the true child: William
    Smith. The old matcher's single pool (one OR, cut at 200 in name order)
    was filled by Smiths named A to T before William was reached."""
    from agencies.models import Agency
    from cases.matching import name_key

    lead = Agency.objects.create(slug="crowd-csc", name="Crowd", kind=Agency.Kind.SOCIAL_CARE)
    rng = random.Random(17)  # noqa: S311
    rows = []
    for i in range(300):
        first = CROWD_FIRST_NAMES[i % len(CROWD_FIRST_NAMES)]
        dob = TRUE_DOB if i < 20 else dt.date(2008, 1, 1) + dt.timedelta(days=rng.randrange(6000))
        rows.append(
            Child(
                reference=f"CHI-CROWD-{i:04d}",
                lead_agency=lead,
                first_name=first,
                last_name="Smith",
                date_of_birth=dob,
                postcode="NS1 2AB" if i % 50 == 0 else f"NS{i % 9 + 1} {i % 10}XY",
                first_name_key=name_key(first),
                last_name_key=name_key("Smith"),
            )
        )
    Child.objects.bulk_create(rows)
    true_child = Child.objects.create(
        reference="CHI-CROWD-TRUE",
        lead_agency=lead,
        first_name="William",
        last_name="Smith",
        date_of_birth=TRUE_DOB,
        postcode="NS1 2AB",
        nhs_number="9434765919",
        upn="A801200216000",
        first_name_key=name_key("William"),
        last_name_key=name_key("Smith"),
    )
    ChildAddress.objects.create(
        child=true_child, postcode="NS4 4QQ", from_date=dt.date(2019, 1, 1), to_date=TRUE_DOB
    )
    return true_child


@pytest.mark.parametrize(
    ("first", "last", "dob", "postcode"),
    [
        pytest.param("William", "Smith", TRUE_DOB, "NS1 2AB", id="exact"),
        pytest.param("William", "Smith", TRUE_DOB, "", id="exact-without-postcode"),
        pytest.param("William", "Smith", None, "NS1 2AB", id="no-date-of-birth"),
        pytest.param("Wiliam", "Smiht", TRUE_DOB, "NS1 2AB", id="typos"),
        pytest.param("Smith", "William", TRUE_DOB, "", id="swapped-names"),
        pytest.param("Bill", "Smith", TRUE_DOB, "", id="nickname"),
        pytest.param("William", "Smith-Jones", TRUE_DOB, "", id="hyphenated"),
        pytest.param("William", "Smith", dt.date(2015, 4, 3), "", id="day-month-swapped"),
        pytest.param("William", "Smith", dt.date(2015, 3, 5), "", id="day-off-by-one"),
        pytest.param("William", "Smith", dt.date(2014, 3, 4), "", id="year-off-by-one"),
    ],
)
def test_the_true_child_is_found_among_a_crowd_of_the_same_surname(
    crowd, first, last, dob, postcode
):
    subject = Subject(first_name=first, last_name=last, date_of_birth=dob, postcode=postcode)
    found = [c.child for c in find_candidates(Child.objects.all(), subject, limit=10)]
    assert crowd in found


def test_exact_entry_ranks_the_true_child_first_among_the_crowd(crowd):
    subject = Subject(first_name="William", last_name="Smith", date_of_birth=TRUE_DOB)
    top = find_candidates(Child.objects.all(), subject)[0]
    assert top.child == crowd
    assert {"same surname", "same first name", "same date of birth"} <= set(top.reasons)


@pytest.mark.parametrize(
    ("key", "subject"),
    [
        ("NHS number", Subject(first_name="Zed", last_name="Quorn", nhs_number="943 476 5919")),
        ("UPN", Subject(first_name="Zed", last_name="Quorn", upn="a801200216000")),
        ("date of birth", Subject(first_name="Zed", last_name="Quorn", date_of_birth=TRUE_DOB)),
        (
            "date of birth typo",
            Subject(first_name="Zed", last_name="Smith", date_of_birth=dt.date(2015, 4, 3)),
        ),
        ("name", Subject(first_name="William", last_name="Smith")),
        (
            "surname, nearest date of birth",
            Subject(first_name="Zed", last_name="Smith", date_of_birth=dt.date(2015, 3, 9)),
        ),
        (
            "first name, nearest date of birth",
            Subject(first_name="William", last_name="Quorn", date_of_birth=dt.date(2015, 2, 20)),
        ),
        ("postcode", Subject(first_name="Zed", last_name="Quorn", postcode="ns12ab")),
        ("previous postcode", Subject(first_name="Zed", last_name="Quorn", postcode="NS4 4QQ")),
    ],
)
def test_each_key_alone_brings_the_child_into_the_pool(crowd, key, subject):
    pool = candidate_pool(Child.objects.all(), subject)
    assert crowd.pk in pool
    assert key in pool[crowd.pk].keys


def test_every_block_is_bounded(crowd):
    subject = Subject(first_name="William", last_name="Smith", postcode="NS1 2AB")
    blocks = {b.key: b.limit for b in blocking_keys(subject)}
    assert blocks == {
        "name": BLOCK_LIMIT,
        "surname": BLOCK_LIMIT,
        "postcode": BLOCK_LIMIT,
        "previous postcode": BLOCK_LIMIT,
    }
    # Without a date of birth the surname block of 301 Smiths is cut at its bound,
    # and the whole name still finds William.
    pool = candidate_pool(Child.objects.all(), subject)
    assert sum("surname" in row.keys for row in pool.values()) == BLOCK_LIMIT
    assert "name" in pool[crowd.pk].keys


def test_the_lookup_is_one_statement_and_one_fetch(crowd, django_assert_num_queries):
    subject = Subject(first_name="William", last_name="Smith", date_of_birth=TRUE_DOB)
    with django_assert_num_queries(2):
        find_candidates(Child.objects.all(), subject)


# The restricted-child exclusion ----------------------------------------------------


def test_not_exists_exclusion_agrees_with_the_front_door_selectors():
    """``without_hidden_restricted`` / ``only_hidden_restricted`` (and
    ``hidden_restricted_cases`` in ``children_for``'s condition) hide and flag
    exactly the children the selectors' ``NOT IN`` forms do, for every user."""
    from django.db.models import Q

    from agencies.roles import TRIAGE_ROLES
    from agencies.selectors import agencies_where
    from cases import selectors
    from cases.selectors.children import children_for
    from cases.services.restrictions import case_break_glass, case_restrict
    from tests.factories import make_user, open_case_from_concern, submit_concern

    world = World()
    outsider = make_user("manager2@la", world.la, "manager")
    case = open_case_from_concern(world, submit_concern(world))
    open_case_from_concern(world, submit_concern(world, child_first_name="Bo"))
    case_restrict(
        acting_user=world.manager, case=case, reason="Child of a member of staff.",
        named_users=[world.manager],
    )  # fmt: skip
    case.refresh_from_db()
    everyone = Child.objects.filter(lead_agency=world.la, merged_into__isnull=True)

    def agree(user):
        # The oracle: the restricted cases the user cannot see, computed the old
        # way, as an anti-join of everything the user sees (slow, but plainly right).
        hidden_children = (
            Case.objects.filter(is_restricted=True)
            .exclude(pk__in=selectors.cases_for(user).values("pk"))
            .values("child_id")
        )
        groups = selectors._group_ids(user)
        expected_visible = set(everyone.exclude(pk__in=hidden_children))
        assert set(without_hidden_restricted(everyone, user=user, group_ids=groups)) == (
            expected_visible
        )
        assert set(selectors.children_at_front_door(user, world.la)) == expected_visible
        expected_hidden = set(Child.objects.filter(lead_agency=world.la, pk__in=hidden_children))
        assert set(only_hidden_restricted(everyone, user=user, group_ids=groups)) == (
            expected_hidden
        )
        assert set(selectors.restricted_children_at_front_door(user, world.la)) == (expected_hidden)
        doors = agencies_where(user, roles=TRIAGE_ROLES, kind="social_care")
        assert set(
            Child.objects.filter(
                Q(pk__in=selectors.cases_for(user).values("child_id"))
                | (Q(lead_agency__in=doors, merged_into__isnull=True) & ~Q(pk__in=hidden_children))
            )
        ) == set(children_for(user))

    for user in (world.manager, world.social_worker, outsider):
        agree(user)
    assert case.child in without_hidden_restricted(
        everyone, user=world.manager, group_ids=selectors._group_ids(world.manager)
    )
    assert case.child not in without_hidden_restricted(
        everyone, user=outsider, group_ids=selectors._group_ids(outsider)
    )
    case_break_glass(
        acting_user=outsider, case=case, reason="Police report the child missing tonight."
    )
    agree(outsider)
    assert case.child in without_hidden_restricted(
        everyone, user=outsider, group_ids=selectors._group_ids(outsider)
    )


# The children the bench and seed_scale build ---------------------------------------


def test_the_scale_generator_builds_valid_children_that_the_matcher_finds():
    from django.db import connection
    from stdnum.gb import nhs, upn

    from agencies.models import Agency
    from cases.matching import name_key
    from demo.scale_children import build_children

    def indexes():
        with connection.cursor() as cursor:
            return set(connection.introspection.get_constraints(cursor, "cases_child"))

    before = indexes()
    lead = Agency.objects.create(slug="scale-csc", name="Scale", kind=Agency.Kind.SOCIAL_CARE)
    built = build_children(600, agency=lead, seed=3, today=dt.date(2026, 11, 30))
    children = Child.objects.filter(lead_agency=lead)
    assert built.children == children.count() == 600
    assert built.addresses == ChildAddress.objects.filter(child__lead_agency=lead).count() > 0
    assert indexes() == before  # dropped for the load (the table was empty), built again
    for field, valid in (("nhs_number", nhs.is_valid), ("upn", upn.is_valid)):
        numbers = list(children.exclude(**{field: ""}).values_list(field, flat=True))
        assert len(numbers) > 300 and len(set(numbers)) == len(numbers)
        assert all(map(valid, numbers))
    child = children.order_by("reference")[37]
    assert (child.first_name_key, child.last_name_key) == (
        name_key(child.first_name),
        name_key(child.last_name),
    )
    subject = Subject(
        first_name=child.first_name, last_name=child.last_name, date_of_birth=child.date_of_birth
    )
    assert find_candidates(children, subject)[0].child == child


def test_an_empty_scope_finds_nobody(children):
    subject = Subject(first_name="William", last_name="Turner", date_of_birth=DOB)
    assert find_candidates(Child.objects.none(), subject) == []
    assert find_candidates(Child.objects.filter(pk__in=[]), subject) == []
