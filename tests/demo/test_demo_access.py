"""For every demo user and every demo case, the explainer and the selectors agree."""

import pytest
from django.contrib.auth import get_user_model

from cases import selectors
from cases.access import desired_group_grants, desired_user_grants, explain_access
from cases.models import Case, CaseGroupObjectPermission, CaseUserObjectPermission

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings, seed_demo):
    settings.DEMO_PASSWORD = seed_demo.password  # any will do; the shared copy's is quick
    seed_demo()


def test_explainer_agrees_with_selectors_for_every_demo_user_and_case(demo):
    cases = list(Case.objects.prefetch_related("involvements", "named_access"))
    users = list(get_user_model().objects.all())
    assert len(cases) >= 15 and len(users) == 36
    for user in users:
        visible = set(selectors.cases_for(user).values_list("pk", flat=True))
        for case in cases:
            explained = bool(explain_access(user, case))
            assert explained == (case.pk in visible), (user.username, case.reference)


def test_grants_never_diverge_from_the_records(demo):
    for case in Case.objects.all():
        stored_groups = set(
            CaseGroupObjectPermission.objects.filter(content_object=case).values_list(
                "group_id", "permission__codename"
            )
        )
        stored_users = set(
            CaseUserObjectPermission.objects.filter(content_object=case).values_list(
                "user_id", "permission__codename"
            )
        )
        assert stored_groups == desired_group_grants(case), case.reference
        assert stored_users == desired_user_grants(case), case.reference


def test_the_demo_people_see_what_the_spec_says(demo):
    User = get_user_model()
    northshire = Case.objects.filter(lead_agency__slug="northshire-csc")
    worker = User.objects.get(username="social_worker@northshire-csc")
    assert selectors.cases_for(worker).filter(pk__in=northshire).count() == northshire.count()
    for username in (
        "practitioner@riverside-academy",
        "social_worker@eastfield-csc",
        "manager@eastfield-csc",
        "practitioner@eastfield-csc",
        "agency_admin@northshire-csc",
        "auditor@northshire-csc",
    ):
        user = User.objects.get(username=username)
        assert not selectors.cases_for(user).filter(pk__in=northshire).exists(), username
    # Chairs see the cases they chair, and no others.
    chair = User.objects.get(username="chair@northshire-csc")
    chaired = set(
        Case.objects.filter(meeting_links__meeting__chair=chair).values_list("pk", flat=True)
    )
    assert chaired and set(selectors.cases_for(chair).values_list("pk", flat=True)) == chaired
    manager = User.objects.get(username="manager@northshire-csc")
    restricted = northshire.filter(is_restricted=True)
    assert restricted.count() == 1
    assert not selectors.cases_for(manager).filter(pk__in=restricted).exists()
    assert selectors.restricted_cases_noticed_by(manager).filter(pk__in=restricted).exists()
