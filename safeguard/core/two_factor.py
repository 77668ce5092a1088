"""Two-factor sign-in (TOTP) for everyone whose role reaches case data.

After the password step, people with such a role must confirm a code from an
authenticator app: first they set one up, then they enter a code at every
sign-in. It can be switched off (TWO_FACTOR_REQUIRED=false) only for the demo.
"""

from __future__ import annotations

from collections.abc import Callable

import segno
from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeguard.audit.services import audit_record
from safeguard.core.people import roles_for, two_factor_roles

EXEMPT_PREFIXES = ("/accounts/", "/static/", "/healthz", "/api/schema/")


def needs_two_factor(user) -> bool:
    return bool(settings.TWO_FACTOR_REQUIRED and roles_for(user) & two_factor_roles())


class RequireTwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(EXEMPT_PREFIXES)
            # A token-only API request has no signed-in session user here, so it
            # never reaches this check; a half-signed-in session never gets past it,
            # whatever headers it adds.
            and not user.is_verified()
            and needs_two_factor(user)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": "Two-factor sign-in required.", "errors": {}}, status=403
                )
            target = "two_factor_verify" if _confirmed_device(user) else "two_factor_setup"
            return redirect(f"{reverse(target)}?next={request.get_full_path()}")
        return self.get_response(request)


def _confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code from your authenticator app",
        help_text="The 6-digit code, for example 123456",
        max_length=8,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "class": "govuk-input--width-5",
            }
        ),
        error_messages={"required": "Enter the 6-digit code from your authenticator app"},
    )

    def clean_code(self) -> str:
        return "".join(self.cleaned_data["code"].split())


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return "/"


@login_required
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    if _confirmed_device(request.user):
        return redirect("two_factor_verify")
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=request.user, name="Authenticator app", confirmed=False
        )
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            with transaction.atomic():
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                otp_login(request, device)
                audit_record(user=request.user, action="create", event="two_factor_set_up")
            return redirect(_next(request))
        form.add_error("code", _wrong_code_message(device))
    qr = segno.make(device.config_url, error="m")
    return render(
        request,
        "registration/two_factor_setup.html",
        {
            "form": form,
            "qr_svg": qr.svg_inline(scale=4, title="QR code to scan with your authenticator app"),
            "secret": _base32(device),
            "next": _next(request),
        },
    )


@login_required
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    device = _confirmed_device(request.user)
    if device is None:
        return redirect("two_factor_setup")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_is_allowed()[0] and device.verify_token(form.cleaned_data["code"]):
            otp_login(request, device)
            audit_record(user=request.user, action="login", event="two_factor_verified")
            return redirect(_next(request))
        audit_record(user=request.user, action="login_failed", event="two_factor_failed")
        form.add_error("code", _wrong_code_message(device))
    return render(
        request, "registration/two_factor_verify.html", {"form": form, "next": _next(request)}
    )


def _wrong_code_message(device: TOTPDevice) -> str:
    allowed, details = device.verify_is_allowed()
    if not allowed and details and details.get("failure_count", 0) >= 3:
        return "Too many wrong codes. Wait a few seconds, then enter a new code"
    return "The code is not right. Check your authenticator app and try again"


def _base32(device: TOTPDevice) -> str:
    import base64

    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
