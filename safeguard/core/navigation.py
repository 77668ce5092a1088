"""The service navigation, by role: people see the areas their work needs.

Each app registers its areas in its ``AppConfig.ready()`` (label, URL name,
the roles that see it, and a position), so ``safeguard`` names no domain app.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

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


def service_nav(request: HttpRequest, roles: set[str] | None = None) -> list[dict]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    if roles is None:
        # A view that has read them for this request leaves them on it.
        roles = getattr(request, "user_roles", None)
    roles = roles_for(user) if roles is None else roles
    items = []
    for item in sorted(_items.values(), key=lambda i: i.position):
        if item.roles is not None and not roles & item.roles:
            continue
        try:
            url = reverse(item.url_name)
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
