"""The service navigation, by role: people see the areas their work needs."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from agencies.selectors import roles_for

CONCERN_ROLES = {"practitioner", "social_worker", "manager"}
FRONT_DOOR_ROLES = {"social_worker", "manager"}
CASE_ROLES = {"practitioner", "social_worker", "manager", "chair"}

ITEMS = (
    ("My work", "home", None),
    ("Log a concern", "concern_create", CONCERN_ROLES),
    ("My concerns", "concern_list", CONCERN_ROLES),
    ("Front door", "front_door", FRONT_DOOR_ROLES),
    ("Cases", "case_list", CASE_ROLES),
    ("Meetings", "meeting_list", CASE_ROLES),
    ("Referrals", "referral_list", CONCERN_ROLES),
    ("Members", "agency_members_home", {"agency_admin"}),
    ("Audit log", "audit_search", {"auditor"}),
)


def service_nav(request: HttpRequest, roles: set[str] | None = None) -> list[dict]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    roles = roles_for(user) if roles is None else roles
    items = []
    for label, name, allowed in ITEMS:
        if allowed is not None and not roles & allowed:
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            # An area whose pages are not wired up yet is left out, not broken.
            continue
        items.append({"label": label, "url": url, "active": False})
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
