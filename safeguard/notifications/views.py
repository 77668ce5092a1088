from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from safeguard.notifications.selectors import groups, notification_groups_for, notifications_for
from safeguard.notifications.services import notification_mark_read


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    """One line per kind of notification about one thing, newest first: a
    reader scans what happened, not every repetition of it."""
    page = Paginator(notification_groups_for(request.user), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/notification_list.html",
        {"page": page, "groups": groups(page.object_list)},
    )


@login_required
@require_POST
def notification_open(request: HttpRequest, notification_id) -> HttpResponse:
    note = get_object_or_404(notifications_for(request.user), pk=notification_id)
    notification_mark_read(user=request.user, notification=note)
    # The link is ours, but check it anyway: a notification must never become an open redirect.
    if note.link_path and url_has_allowed_host_and_scheme(note.link_path, allowed_hosts=None):
        return redirect(note.link_path)
    return redirect("notification_list")
