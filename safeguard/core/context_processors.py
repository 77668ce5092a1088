from django.conf import settings
from django.http import HttpRequest

from safeguard.core.navigation import area_url, header_search, service_nav

# The pages every page links to (base.html): each reversed once per process,
# URL configuration and script prefix (``area_url``), not with a ``{% url %}``
# tag on every page.
CHROME = ("home", "notification_list", "profile", "logout", "keep_alive", "login")


def service(request: HttpRequest) -> dict:
    unread = 0
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        from safeguard.notifications.selectors import unread_count_for

        # A page that has just read all of them (the home page) says how many;
        # otherwise the count read with the user at the start of this request
        # (agencies.signed_in), else one query.
        known = getattr(request, "unread_notifications", None)
        if known is None:
            known = getattr(user, "preloaded_unread", None)
        unread = known if known is not None else unread_count_for(user)
    return {
        "service_name": settings.SERVICE_NAME,
        "service_phase": settings.PHASE,
        "unread_notifications": unread,
        "service_nav": service_nav(request),
        "header_search_url": header_search(request),
        "session_idle_seconds": settings.SESSION_COOKIE_AGE,
        "max_post_bytes": settings.DATA_UPLOAD_MAX_MEMORY_SIZE,
        "chrome_urls": {name: area_url(name) for name in CHROME},
    }
