"""The person's own page: who they are in which agencies, and their API token."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from safeguard.audit.services import audit_record
from safeguard.core.api_tokens import expires_at, idle_lapses_at, last_used
from safeguard.core.people import memberships_for
from safeguard.core.two_factor import needs_two_factor
from safeguard.notifications.forms import ReminderPreferenceForm
from safeguard.notifications.selectors import reminder_email_preference
from safeguard.notifications.services import reminder_preference_set


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    # /accounts/ is exempt from the two-factor gate (it holds the sign-in pages),
    # so this page checks for itself: a token must never bypass two-factor.
    if needs_two_factor(request.user) and not request.user.is_verified():
        return redirect(f"{reverse('two_factor_verify')}?next={request.path}")
    new_key = None
    reminder_form = ReminderPreferenceForm(
        initial={"reminder_email": reminder_email_preference(request.user)}
    )
    if request.method == "POST" and request.POST.get("action") == "reminder_email":
        reminder_form = ReminderPreferenceForm(request.POST)
        if reminder_form.is_valid():
            reminder_preference_set(
                user=request.user, reminder_email=reminder_form.cleaned_data["reminder_email"]
            )
            messages.success(request, "Your reminder e-mail choice has been saved.")
            return redirect("profile")
    elif request.method == "POST":
        with transaction.atomic():
            Token.objects.filter(user=request.user).delete()
            if request.POST.get("action") == "issue":
                new_key = Token.objects.create(user=request.user).key
                audit_record(user=request.user, action="create", event="api_token_issued")
                messages.success(
                    request, "Copy your new token now: it will not be shown again in full."
                )
            else:
                audit_record(user=request.user, action="update", event="api_token_revoked")
                messages.success(request, "Your API token has been revoked.")
        if new_key is None:
            return redirect("profile")
    token = Token.objects.select_related("use").filter(user=request.user).first()
    token_expires = expires_at(token) if token else None
    token_idle_at = idle_lapses_at(token) if token else None
    return render(
        request,
        "registration/profile.html",
        {
            "memberships": memberships_for(request.user),
            "token": token,
            "token_expires": token_expires,
            "token_expired": bool(token_expires and token_expires <= timezone.now()),
            "token_idle_at": token_idle_at,
            "token_idle": bool(token_idle_at and token_idle_at <= timezone.now()),
            "token_use": last_used(token) if token else None,
            "idle_days": settings.API_TOKEN_IDLE_DAYS,
            "new_key": new_key,
            "reminder_form": reminder_form,
        },
    )
