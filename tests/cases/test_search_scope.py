"""The header search asks the access rule in the form that costs least for how
much the person sees (cases.selectors.search_scope): the children of their
few granted cases, their granted cases hashed, or child by child. Whichever
form a search by name takes, it finds exactly the children the rule allows:
never a restricted case the person is not named on, an involvement that has
ended, a grant of a membership that has ended, a break-glass that has
expired, or a case of an agency they are not in."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agencies.models import Membership
from agencies.services import membership_deactivate
from cases.access import VIEW
from cases.models import (
    BreakGlass,
    CaseGroupObjectPermission,
    CaseUserObjectPermission,
    Child,
    Involvement,
)
from cases.selectors import search_scope
from cases.selectors.search import search
from cases.services.case import involvement_end, involvement_start
from cases.services.restrictions import case_restrict
from tests.factories import World, make_user, open_case_from_concern, submit_concern

pytestmark = pytest.mark.django_db

# Each form, forced whatever the person's grants and the search, and what
# its statement says of it.
FORMS = {
    search_scope.SEEN_CHILDREN: "seen(id) AS MATERIALIZED",
    search_scope.GRANTED_CASES: "granted(id) AS MATERIALIZED",
    search_scope.CHILD_BY_CHILD: None,
}


@pytest.fixture(params=list(FORMS))
def form(request, monkeypatch):
    monkeypatch.setattr(search_scope, "cheapest", lambda grants, read: request.param)
    return FORMS[request.param]


@pytest.fixture
def world():
    w = World()
    # Amelia: the school reported her (involved); Jack: the police did.
    w.amelia = open_case_from_concern(w, submit_concern(w))
    w.jack = open_case_from_concern(
        w, submit_concern(w, w.officer, w.police, child_first_name="Jack")
    )
    # Ruby: the school reported her; restricted, the teacher named on it.
    w.ruby = open_case_from_concern(
        w,
        submit_concern(w, child_first_name="Ruby", child_date_of_birth=dt.date(2015, 1, 9)),
    )
    case_restrict(
        acting_user=w.manager,
        case=w.ruby,
        reason="Child of a member of staff in the duty team.",
        named_users=[w.manager, w.teacher],
    )
    # Oscar: the police were involved, and are no longer.
    w.oscar = open_case_from_concern(w, submit_concern(w, child_first_name="Oscar"))
    police = involvement_start(
        acting_user=None,
        case=w.oscar,
        agency=w.police,
        level=Involvement.Level.INVOLVED,
        reason=Involvement.Reason.ADDED,
    )
    w.oscar_police = police
    cases = (w.amelia, w.jack, w.ruby, w.oscar)
    Child.objects.filter(pk__in=[c.child_id for c in cases]).update(postcode="NS1 2AB")
    return w


def hits(user, text: str) -> set:
    return {hit.child.pk for hit in search(user, text).hits if hit.child}


def children(*cases) -> set:
    return {case.child_id for case in cases}


def pool_statement(user, text: str) -> str:
    with CaptureQueriesContext(connection) as queries:
        search(user, text)
    (pool,) = [q["sql"] for q in queries.captured_queries if ") arm0" in q["sql"]]
    return pool


def test_each_form_finds_what_the_rule_allows_and_nothing_else(world, form, client):
    w = world
    # The form is the one forced: these people work no front door.
    for user in (w.teacher, w.officer, w.other_teacher):
        statement = pool_statement(user, "Hart")
        assert (form is None) == ("AS MATERIALIZED" not in statement), statement[:200]
        assert form is None or form in statement
        assert ("seen(id)" in statement) == (form == FORMS[search_scope.SEEN_CHILDREN])

    everyone = children(w.amelia, w.jack, w.ruby, w.oscar)
    assert hits(w.teacher, "Hart") == children(w.amelia, w.ruby, w.oscar)
    assert hits(w.officer, "Hart") == children(w.jack, w.oscar)
    assert hits(w.other_teacher, "Hart") == set()
    # A front door finds its authority's children, less the restricted one it
    # is not named on: asked child by child whatever is forced.
    assert "AS MATERIALIZED" not in pool_statement(w.social_worker, "Hart")
    assert hits(w.social_worker, "Hart") == everyone - children(w.ruby)
    assert hits(w.manager, "Hart") == everyone

    # The police's involvement ends: Oscar is gone for the officer.
    involvement_end(acting_user=w.social_worker, involvement=w.oscar_police)
    assert hits(w.officer, "Hart") == children(w.jack)
    assert hits(w.officer, "Oscar Hart") == children(w.jack)

    # A break-glass on Ruby's case: hers while it lasts, then not.
    now = timezone.now()
    glass = BreakGlass.objects.create(
        case=w.ruby,
        user=w.officer,
        reason="Police report the child missing tonight; I need the safety plan now.",
        started_at=now,
        expires_at=now + dt.timedelta(hours=1),
    )
    assert hits(w.officer, "Ruby Hart") == children(w.jack, w.ruby)
    glass.expires_at = timezone.now() - dt.timedelta(seconds=1)
    glass.save(update_fields=["expires_at"])
    assert hits(w.officer, "Ruby Hart") == children(w.jack)

    # The page, as the teacher sees it: Ruby (named) and Amelia, not Jack.
    client.force_login(w.teacher)
    page = client.get(reverse("search"), {"q": "Hart"}).content.decode()
    assert w.ruby.child.reference in page and w.amelia.child.reference in page
    assert w.jack.child.reference not in page

    # The teacher leaves the school: the role group's grants go with the
    # membership, and so does being named on Ruby's case.
    admin = make_user("agency_admin@school", w.school, "agency_admin")
    membership = Membership.objects.get(user=w.teacher, agency=w.school)
    membership_deactivate(acting_user=admin, membership=membership)
    assert hits(w.teacher, "Hart") == set()
    assert hits(w.teacher, "Ruby Hart") == set()


def test_the_cheapest_form_follows_the_grants_and_the_children_read():
    cheapest = search_scope.cheapest
    # A school's 118 grants: its own children first, unless the surname is rare.
    assert cheapest(118, 2_193) == search_scope.SEEN_CHILDREN
    assert cheapest(118, 44) == search_scope.GRANTED_CASES
    assert cheapest(118, 5) == search_scope.CHILD_BY_CHILD
    # A health trust's 10,077: its cases hashed for a common surname only.
    assert cheapest(10_077, 2_193) == search_scope.GRANTED_CASES
    assert cheapest(10_077, 487) == search_scope.CHILD_BY_CHILD
    # Past the bound of the count, grants are never read first.
    for read in (5, 487, search_scope.CHILDREN_COUNTED + 1):
        past = read * search_scope.GRANTS_PER_CHILD_READ + 1
        assert cheapest(past, read) == search_scope.CHILD_BY_CHILD


def test_the_form_follows_the_person_and_the_kind_of_search(world, monkeypatch):
    w = world
    asked = []

    def counting(grants, read):
        asked.append((grants, read))
        return search_scope.SEEN_CHILDREN

    monkeypatch.setattr(search_scope, "cheapest", counting)
    assert "seen(id) AS MATERIALIZED" in pool_statement(w.teacher, "Hart")
    # The teacher's grants, through the school and their own; the four Harts.
    through_groups = CaseGroupObjectPermission.objects.filter(
        group__user=w.teacher, permission__codename=VIEW
    )
    own = CaseUserObjectPermission.objects.filter(user=w.teacher, permission__codename=VIEW)
    assert asked == [(through_groups.count() + own.count(), 4)]
    # With a date of birth the first name's block reads its children too.
    pool_statement(w.teacher, "Amelia Hart 04/05/2016")
    assert asked[-1][1] == 4 + 1
    # Neither a front door nor a search by anything but a name reads grants.
    asked.clear()
    assert "AS MATERIALIZED" not in pool_statement(w.social_worker, "Hart")
    assert "AS MATERIALIZED" not in pool_statement(w.teacher, "NS1 2AB")
    assert "AS MATERIALIZED" not in pool_statement(w.teacher, "04/05/2016")
    assert asked == []
    assert hits(w.teacher, "NS1 2AB") == children(w.amelia, w.ruby, w.oscar)
