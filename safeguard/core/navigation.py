"""The service navigation, by role: people see the areas their work needs.

Each app registers its areas in its ``AppConfig.ready()`` (label, URL name,
the roles that see it, and a position), so ``safeguard`` names no domain app.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from django.http import HttpRequest
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

from safeguard.core.people import roles_for


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    # None: everyone signed in.
    roles: frozenset[str] | None
    position: int


_items: dict[str, NavItem] = {}


def register(label: str, url_name: str, *, roles: Iterable[str] | None, position: int) -> None:
    """Add an area to the navigation; ``position`` orders the areas left to right."""
    _items[url_name] = NavItem(
        label, url_name, None if roles is None else frozenset(roles), position
    )


_search: NavItem | None = None


def register_search(url_name: str, *, roles: Iterable[str]) -> None:
    """The header's search box, for the roles whose work is case data."""
    global _search
    _search = NavItem("Search", url_name, frozenset(roles), 0)


def area_url(url_name: str) -> str:
    """The path of an area (a URL name without arguments); NoReverseMatch for
    one that is not wired up. Every page draws the navigation, about ten of
    these: each is reversed once per process, URL configuration and script
    prefix, not once per page."""
    found = _reversed(get_urlconf(), get_script_prefix(), url_name)
    if found is None:
        raise NoReverseMatch(url_name)
    return found


@lru_cache(maxsize=256)
def _reversed(urlconf: str | None, prefix: str, url_name: str) -> str | None:
    try:
        return reverse(url_name, urlconf=urlconf)
    except NoReverseMatch:
        return None


def request_roles(request: HttpRequest) -> set[str]:
    """The signed-in person's roles, read once per request and kept on it."""
    roles = getattr(request, "user_roles", None)
    if roles is None:
        user = getattr(request, "user", None)
        roles = roles_for(user) if user is not None and user.is_authenticated else set()
        request.user_roles = roles
    return roles


def header_search(request: HttpRequest, roles: set[str] | None = None) -> str:
    """Where the header's search box sends its query, or "" for someone who sees
    no case data (an agency administrator): they are not offered it."""
    user = getattr(request, "user", None)
    if _search is None or user is None or not user.is_authenticated:
        return ""
    roles = request_roles(request) if roles is None else roles
    if not roles & (_search.roles or frozenset()):
        return ""
    try:
        return area_url(_search.url_name)
    except NoReverseMatch:
        return ""


def service_nav(request: HttpRequest, roles: set[str] | None = None) -> list[dict]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    if roles is None:
        # A view that has read them for this request leaves them on it.
        roles = request_roles(request)
    items = []
    for item in sorted(_items.values(), key=lambda i: i.position):
        if item.roles is not None and not roles & item.roles:
            continue
        try:
            url = area_url(item.url_name)
        except NoReverseMatch:
            # An area whose pages are not wired up yet is left out, not broken.
            continue
        items.append({"label": item.label, "url": url, "active": False})
    # The most specific match is current: "Log a concern" sits under "My concerns".
    matches = [
        item
        for item in items
        if (
            request.path == item["url"]
            if item["url"] == "/"
            else request.path.startswith(item["url"])
        )
    ]
    if matches:
        max(matches, key=lambda item: len(item["url"]))["active"] = True
    return items
