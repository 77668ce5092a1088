"""Agency administration: an agency's administrator manages its people and
roles, every change is audited, and the pages never show case data."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from agencies import services
from agencies.models import Membership
from agencies.services import role_group
from cases import selectors as case_selectors
from safeguard.audit.models import AuditEvent
from tests.factories import PASSWORD, World, make_user, open_case_from_concern, submit_concern

pytestmark = pytest.mark.django_db

User = get_user_model()


@pytest.fixture
def world():
    return World()


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def members_url(world):
    return reverse("agency_members", args=[world.la.slug])


def invite_url(world):
    return reverse("agency_member_invite", args=[world.la.slug])


def edit_url(world, membership):
    return reverse("agency_membership_edit", args=[world.la.slug, membership.pk])


def invite_post(**overrides):
    data = {
        "first_name": "Priya",
        "last_name": "Shah",
        "email": "priya.shah@example.org",
        "username": "priya.shah@la",
        "role": "social_worker",
    }
    data.update(overrides)
    return data


def admin_pages(world):
    membership = world.social_worker.memberships.get()
    return [
        reverse("agency_members_home"),
        members_url(world),
        invite_url(world),
        edit_url(world, membership),
    ]


def test_admin_invites_a_member(client, world):
    login(client, world.la_admin)
    page = client.get(invite_url(world))
    assert page.status_code == 200
    assert "Add a member" in page.content.decode()

    response = client.post(invite_url(world), invite_post())

    assert response.status_code == 302
    assert response["Location"] == members_url(world)
    user = User.objects.get(username="priya.shah@la")
    assert not user.has_usable_password()
    assert (user.first_name, user.last_name, user.email) == (
        "Priya",
        "Shah",
        "priya.shah@example.org",
    )
    membership = Membership.objects.get(user=user)
    assert (membership.agency, membership.role, membership.is_active) == (
        world.la,
        "social_worker",
        True,
    )
    assert user.groups.filter(pk=role_group(agency=world.la, role="social_worker").pk).exists()
    event = AuditEvent.objects.get(event="member_invited")
    assert event.user == world.la_admin
    assert event.action == "grant"
    assert event.object_id == str(membership.pk)
    assert event.detail == {
        "member": "priya.shah@la",
        "agency": "la-csc",
        "role": "social_worker",
        "user_created": True,
    }
    listing = client.get(response["Location"]).content.decode()
    assert "Priya Shah" in listing and "priya.shah@la" in listing


def test_inviting_an_existing_person_needs_their_email(client, world):
    login(client, world.la_admin)
    response = client.post(
        invite_url(world),
        invite_post(username=world.teacher.username, email="someone.else@example.org"),
    )
    assert response.status_code == 200
    assert "email" in response.context["form"].errors
    assert not world.teacher.memberships.filter(agency=world.la).exists()

    response = client.post(
        invite_url(world),
        invite_post(username=world.teacher.username, email=world.teacher.email),
    )
    assert response.status_code == 302
    assert world.teacher.memberships.filter(agency=world.la, role="social_worker").exists()
    # The existing account keeps its password.
    assert User.objects.get(pk=world.teacher.pk).check_password(PASSWORD)


def test_bad_invite_input_is_shown_next_to_the_field(client, world):
    login(client, world.la_admin)
    response = client.post(
        invite_url(world), invite_post(email="not-an-email", username="bad name!", role="king")
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"email", "username", "role"} <= set(errors)
    assert "There is a problem" in response.content.decode()
    assert not User.objects.filter(email="not-an-email").exists()


def test_inviting_someone_into_a_role_they_hold_is_refused(client, world):
    login(client, world.la_admin)
    response = client.post(
        invite_url(world),
        invite_post(
            username=world.social_worker.username,
            email=world.social_worker.email,
            role="social_worker",
        ),
    )
    assert response.status_code == 200
    assert "already" in response.content.decode()


def test_admin_changes_a_role_and_the_groups_follow(client, world):
    login(client, world.la_admin)
    membership = world.social_worker.memberships.get()
    assert client.get(edit_url(world, membership)).status_code == 200

    response = client.post(edit_url(world, membership), {"role": "manager", "action": "change"})

    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == "manager" and membership.is_active
    groups = set(world.social_worker.groups.values_list("name", flat=True))
    assert "la-csc:manager" in groups
    assert "la-csc:social_worker" not in groups
    event = AuditEvent.objects.get(event="membership_role_changed")
    assert event.user == world.la_admin
    assert event.detail["from_role"] == "social_worker"
    assert event.detail["to_role"] == "manager"


def test_admin_deactivates_a_member_who_then_loses_the_cases(client, world):
    case = open_case_from_concern(world, submit_concern(world))
    assert case_selectors.cases_for(world.social_worker).filter(pk=case.pk).exists()
    login(client, world.la_admin)
    membership = world.social_worker.memberships.get()

    response = client.post(edit_url(world, membership), {"action": "deactivate"})

    assert response.status_code == 302
    membership.refresh_from_db()
    assert not membership.is_active
    assert not world.social_worker.groups.filter(name="la-csc:social_worker").exists()
    assert not case_selectors.cases_for(world.social_worker).filter(pk=case.pk).exists()
    event = AuditEvent.objects.get(event="membership_deactivated")
    assert event.user == world.la_admin and event.action == "revoke"
    listing = client.get(members_url(world)).content.decode()
    assert "Deactivated" in listing and world.social_worker.username in listing


def test_an_admin_cannot_remove_their_own_last_admin_membership(client, world):
    login(client, world.la_admin)
    own = world.la_admin.memberships.get()

    response = client.post(edit_url(world, own), {"action": "deactivate"})
    assert response.status_code == 200
    assert "only administrator" in response.content.decode()
    response = client.post(edit_url(world, own), {"role": "manager"})
    assert response.status_code == 200
    assert "only administrator" in response.content.decode()
    own.refresh_from_db()
    assert own.is_active and own.role == "agency_admin"
    assert not AuditEvent.objects.filter(
        event__in=["membership_deactivated", "membership_role_changed"]
    ).exists()

    # With a second administrator, they may step down.
    make_user("second_admin@la", world.la, "agency_admin")
    response = client.post(edit_url(world, own), {"action": "deactivate"})
    assert response.status_code == 302
    own.refresh_from_db()
    assert not own.is_active
    assert client.get(members_url(world)).status_code == 404


@pytest.mark.parametrize(
    "who", ["social_worker", "manager", "chair", "auditor", "teacher", "other_admin"]
)
def test_everyone_but_the_agencys_admin_gets_404(client, world, who):
    if who == "other_admin":
        user = make_user("agency_admin@other-la", world.other_la, "agency_admin")
    else:
        user = getattr(world, who)
    login(client, user)
    before = Membership.objects.filter(is_active=True).count()
    for url in admin_pages(world):
        if who == "other_admin" and url == reverse("agency_members_home"):
            continue  # their own agency's members: see below
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"action": "deactivate", **invite_post()}).status_code == 404, url
    assert Membership.objects.filter(is_active=True).count() == before
    assert not User.objects.filter(username="priya.shah@la").exists()


def test_the_other_agencys_admin_reaches_only_their_own(client, world):
    other_admin = make_user("agency_admin@other-la", world.other_la, "agency_admin")
    login(client, other_admin)
    response = client.get(reverse("agency_members_home"))
    assert response["Location"] == reverse("agency_members", args=[world.other_la.slug])
    page = client.get(response["Location"]).content.decode()
    assert world.other_social_worker.username in page
    assert world.social_worker.username not in page
    # A membership of the lead agency, under the admin's own agency's address.
    foreign = world.social_worker.memberships.get()
    url = reverse("agency_membership_edit", args=[world.other_la.slug, foreign.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "deactivate"}).status_code == 404
    assert client.get("/agencies/no-such-agency/members/").status_code == 404


def test_the_services_refuse_anyone_but_an_admin(world):
    membership = world.teacher.memberships.get()
    # The lead agency's admin does not administer the school.
    with pytest.raises(PermissionDenied):
        services.membership_deactivate(acting_user=world.la_admin, membership=membership)
    with pytest.raises(PermissionDenied):
        services.membership_deactivate(acting_user=None, membership=membership)
    with pytest.raises(PermissionDenied):
        services.membership_change_role(
            acting_user=world.manager,
            membership=world.social_worker.memberships.get(),
            role="chair",
        )
    with pytest.raises(PermissionDenied):
        services.member_invite(acting_user=None, agency=world.la, **invite_post())
    with pytest.raises(PermissionDenied):
        services.membership_add(
            acting_user=world.manager, user=world.teacher, agency=world.la, role="manager"
        )
    assert not User.objects.filter(username="priya.shah@la").exists()
    membership.refresh_from_db()
    assert membership.is_active


def test_a_deactivated_admin_can_no_longer_administer(world):
    second = make_user("second_admin@la", world.la, "agency_admin")
    services.membership_deactivate(acting_user=world.la_admin, membership=second.memberships.get())
    with pytest.raises(PermissionDenied):
        services.member_invite(acting_user=second, agency=world.la, **invite_post())


def test_role_change_back_to_an_earlier_role_reuses_the_old_membership(world):
    membership = world.social_worker.memberships.get()
    manager = services.membership_change_role(
        acting_user=world.la_admin, membership=membership, role="manager"
    )
    back = services.membership_change_role(
        acting_user=world.la_admin, membership=manager, role="social_worker"
    )
    assert back.role == "social_worker" and back.is_active
    assert list(
        world.social_worker.memberships.filter(is_active=True).values_list("role", flat=True)
    ) == ["social_worker"]
    # A role they already hold is refused, not duplicated.
    make_user(world.manager.username, world.la, "social_worker")
    with pytest.raises(ValidationError):
        services.membership_change_role(
            acting_user=world.la_admin,
            membership=world.manager.memberships.get(role="social_worker"),
            role="manager",
        )


def test_the_admins_pages_and_lists_show_no_case_data(client, world):
    concern = submit_concern(world)
    case = open_case_from_concern(world, concern)
    secrets = [concern.reference, case.reference, case.child.full_name, "Amelia", "Hart"]
    login(client, world.la_admin)
    pages = [*admin_pages(world), reverse("home")]
    for url in pages:
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        body = response.content.decode()
        for secret in secrets:
            assert secret not in body, (url, secret)
    for name in ("case_list", "concern_list", "front_door"):
        response = client.get(reverse(name))
        assert response.status_code in (200, 404), name
        body = response.content.decode()
        for secret in secrets:
            assert secret not in body, (name, secret)
    assert client.get(reverse("case_detail", args=[case.pk])).status_code == 404
    assert not case_selectors.cases_for(world.la_admin).exists()


def test_the_navigation_offers_members_to_admins_only(client, world):
    login(client, world.la_admin)
    nav = client.get(reverse("home")).context["service_nav"]
    assert {"label": "Members", "url": "/agencies/", "active": False} in nav
    client.logout()
    login(client, world.social_worker)
    nav = client.get(reverse("home")).context["service_nav"]
    assert "Members" not in [item["label"] for item in nav]


def test_an_invited_person_sets_a_password_from_the_emailed_link_and_signs_in(client, world):
    from django.core import mail

    from agencies.services import member_invite
    from safeguard.notifications.models import OutboundEmail
    from safeguard.notifications.tasks import send_email

    member_invite(
        acting_user=world.la_admin,
        agency=world.la,
        username="new.worker@la",
        email="new.worker@example.org",
        first_name="New",
        last_name="Worker",
        role="social_worker",
    )
    email = OutboundEmail.objects.get(to_address="new.worker@example.org")
    send_email.apply(args=[str(email.pk)])
    body = mail.outbox[-1].body
    link = next(line for line in body.splitlines() if "/agencies/welcome/" in line)
    path = link[link.index("/agencies/welcome/") :]
    response = client.get(path, follow=True)
    assert "Set your password" in response.content.decode()
    new_password = "lantern-orchard-velvet-42"
    response = client.post(
        response.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    assert response.status_code == 302
    assert client.login(username="new.worker@la", password=new_password)
    # The link works once only.
    client.logout()
    assert "expired or has been used" in client.get(path, follow=True).content.decode()
