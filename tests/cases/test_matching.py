"""Finding a child among near-duplicates (the classic failure of these systems)."""

import datetime as dt

import pytest

from cases.matching import Subject, find_candidates
from cases.models import Child
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
    from cases.child_records import child_update
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
