"""``ResolveUserMiddleware``: past it, ``request.user`` is the person (or the
anonymous user), not the lazy stand-ins Django and django-otp put there."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.utils.functional import SimpleLazyObject

from safeguard.core.middleware import resolved
from tests.factories import World

pytestmark = pytest.mark.django_db


def test_a_signed_in_page_is_handed_the_person(client):
    world = World()
    client.force_login(world.social_worker)
    response = client.get("/cases/")
    assert response.status_code == 200
    user = response.wsgi_request.user
    assert type(user) is get_user_model()
    assert user.pk == world.social_worker.pk
    # django-otp's marks are on the person themselves, as before.
    assert user.is_verified() is False


def test_a_signed_out_request_is_handed_the_anonymous_user(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert type(response.wsgi_request.user) is AnonymousUser


def test_resolved_reads_through_stand_ins_once():
    reads = []

    def read():
        reads.append(1)
        return "the person"

    inner = SimpleLazyObject(read)
    outer = SimpleLazyObject(lambda: inner)
    assert resolved(outer) == "the person" and type(resolved(outer)) is str
    assert reads == [1]
    assert resolved("as it is") == "as it is"
