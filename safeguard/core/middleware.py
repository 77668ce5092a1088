import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.functional import LazyObject, empty


def resolved(value: Any) -> Any:
    """What a lazy stand-in stands for, through any number of them."""
    while isinstance(value, LazyObject):
        if value._wrapped is empty:
            value._setup()
        value = value._wrapped
    return value


class ResolveUserMiddleware:
    """Hand the rest of the request the signed-in person, not a stand-in.

    ``request.user`` is a lazy stand-in for the session's user (Django's),
    wrapped in another (django-otp's, which marks the user verified or not),
    so that a request nobody asks about reads no user. Every request past
    this point asks (RequireTwoFactorMiddleware, the views' access rule), and
    each of the hundreds of attributes a page then reads of it (a case page's
    templates, the statements' parameters, ``isinstance`` checks) went through
    both proxies: about a twentieth of a page's Python. Resolving it here reads
    nothing more than the request was about to read.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if hasattr(request, "user"):
            request.user = resolved(request.user)
        return self.get_response(request)


class PermissionsPolicyMiddleware:
    """Switch off browser features a case management system never needs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class NoStoreWhenSignedInMiddleware:
    """Pages for a signed-in person may hold case data: no browser or proxy keeps them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, no_store=True, private=True)
        return response


# The session's idle timer. Saving the session on every request (Django's
# SESSION_SAVE_EVERY_REQUEST) costs three SQL statements on every page; renewing
# it when a thirtieth of its life (at most a minute) has passed keeps the idle
# timeout accurate to that and costs nothing on the pages in between.
RENEWED_AT = "_renewed_at"


def renew_interval() -> float:
    return min(60.0, settings.SESSION_COOKIE_AGE / 30)


def mark_renewed(session) -> None:
    session[RENEWED_AT] = time.time()


class RenewIdleSessionMiddleware:
    """Renew a signed-in session's idle timer when it is due (see ``RENEWED_AT``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is not None and user is not None and user.is_authenticated:
            last = session.get(RENEWED_AT)
            if not isinstance(last, (int, float)) or time.time() - last >= renew_interval():
                mark_renewed(session)
        return response


def renewed_at_sign_in(sender, request, user, **kwargs) -> None:
    """Signing in saves the session: its idle timer starts now (``user_logged_in``)."""
    if request is not None and hasattr(request, "session"):
        mark_renewed(request.session)
