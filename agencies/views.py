"""Agency administration: an agency's administrators manage its members and
their roles. These pages hold no case data. Anyone who is not an active
administrator of the agency gets a 404, as if the agency did not exist."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render

from agencies import selectors, services, teams
from agencies.forms import MemberInviteForm, MembershipRoleForm, TeamForm
from agencies.models import Agency, Membership, Team
from agencies.roles import Role
from safeguard.core.forms import add_service_errors


def _administered_agencies(request: HttpRequest):
    return selectors.administered_agencies(request.user)


def _agency_for_admin(request: HttpRequest, slug: str) -> Agency:
    return selectors.agency_for_admin(request.user, slug)


def _display_name(user) -> str:
    return user.get_full_name() or user.get_username()


@login_required
def agency_members_home(request: HttpRequest) -> HttpResponse:
    """The navigation's "Members": the first agency this person administers."""
    agency = _administered_agencies(request).order_by("name").first()
    if agency is None:
        raise Http404
    return redirect("agency_members", agency.slug)


@login_required
def agency_members(request: HttpRequest, slug: str) -> HttpResponse:
    agency = _agency_for_admin(request, slug)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    memberships = selectors.memberships_of(agency)
    rows = [{"membership": m, "name": _display_name(m.user)} for m in memberships]
    return render(
        request,
        "agencies/member_list.html",
        {
            "agency": agency,
            "active": [r for r in rows if r["membership"].is_active],
            "inactive": [r for r in rows if not r["membership"].is_active],
            "other_agencies": _administered_agencies(request).exclude(pk=agency.pk),
        },
    )


@login_required
def agency_member_invite(request: HttpRequest, slug: str) -> HttpResponse:
    agency = _agency_for_admin(request, slug)
    if request.method == "POST":
        form = MemberInviteForm(request.POST)
        if form.is_valid():
            try:
                membership = services.member_invite(
                    acting_user=request.user, agency=agency, **form.cleaned_data
                )
            except PermissionDenied as exc:
                raise Http404 from exc
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    f"{_display_name(membership.user)} is now a "
                    f"{membership.get_role_display().lower()} in {agency.name}.",
                )
                return redirect("agency_members", agency.slug)
    elif request.method == "GET":
        form = MemberInviteForm()
    else:
        return HttpResponseNotAllowed(["GET", "POST"])
    return render(request, "agencies/member_invite.html", {"agency": agency, "form": form})


@login_required
def agency_membership_edit(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    agency = _agency_for_admin(request, slug)
    membership = (
        Membership.objects.filter(agency=agency, pk=membership_id).select_related("user").first()
    )
    if membership is None:
        raise Http404
    form = MembershipRoleForm(initial={"role": membership.role})
    deactivate_error = ""
    if request.method == "POST":
        try:
            if request.POST.get("action") == "deactivate":
                services.membership_deactivate(acting_user=request.user, membership=membership)
                messages.success(
                    request,
                    f"{_display_name(membership.user)} is no longer a "
                    f"{membership.get_role_display().lower()} in {agency.name}.",
                )
                return _after_change(request, agency)
            form = MembershipRoleForm(request.POST)
            if form.is_valid():
                try:
                    changed = services.membership_change_role(
                        acting_user=request.user,
                        membership=membership,
                        role=form.cleaned_data["role"],
                    )
                except ValidationError as exc:
                    form.add_error(None, exc)
                else:
                    messages.success(
                        request,
                        f"{_display_name(changed.user)} is now a "
                        f"{changed.get_role_display().lower()} in {agency.name}.",
                    )
                    return _after_change(request, agency)
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            deactivate_error = " ".join(exc.messages)
    elif request.method != "GET":
        return HttpResponseNotAllowed(["GET", "POST"])
    return render(
        request,
        "agencies/membership_edit.html",
        {
            "agency": agency,
            "membership": membership,
            "name": _display_name(membership.user),
            "form": form,
            "deactivate_error": deactivate_error,
        },
    )


def _after_change(request: HttpRequest, agency: Agency) -> HttpResponse:
    """Back to the list, or home if the person has just given up administering it."""
    if _administered_agencies(request).filter(pk=agency.pk).exists():
        return redirect("agency_members", agency.slug)
    return redirect("home")


def _team_form(agency: Agency, data=None, **kwargs) -> TeamForm:
    return TeamForm(
        data,
        managers=teams.team_people(agency, [Role.MANAGER]),
        people=teams.team_people(agency),
        **kwargs,
    )


def _save_team(request: HttpRequest, form: TeamForm, save) -> HttpResponse | None:
    if not form.is_valid():
        return None
    try:
        team = save(**form.cleaned_data)
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None
    messages.success(request, f"{team.name} saved.")
    return redirect("agency_teams", team.agency.slug)


@login_required
def agency_teams(request: HttpRequest, slug: str) -> HttpResponse:
    """The agency's teams, and a form to add one."""
    agency = _agency_for_admin(request, slug)
    form = _team_form(agency, request.POST or None)
    if request.method == "POST":
        done = _save_team(
            request,
            form,
            lambda **data: teams.team_create(
                acting_user=request.user, agency=agency, members=list(data.pop("members")), **data
            ),
        )
        if done:
            return done
    elif request.method != "GET":
        return HttpResponseNotAllowed(["GET", "POST"])
    rows = selectors.teams_of(agency)
    return render(
        request,
        "agencies/team_list.html",
        {"agency": agency, "teams": list(rows), "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def agency_team_edit(request: HttpRequest, slug: str, team_id) -> HttpResponse:
    agency = _agency_for_admin(request, slug)
    team = Team.objects.filter(agency=agency, pk=team_id).first()
    if team is None:
        raise Http404
    initial = {"name": team.name, "manager": team.manager_id, "members": list(team.members.all())}
    form = _team_form(agency, request.POST or None, initial=initial)
    if request.method == "POST":
        done = _save_team(
            request,
            form,
            lambda **data: teams.team_update(
                acting_user=request.user, team=team, members=list(data.pop("members")), **data
            ),
        )
        if done:
            return done
    elif request.method != "GET":
        return HttpResponseNotAllowed(["GET", "POST"])
    return render(
        request,
        "agencies/team_edit.html",
        {"agency": agency, "team": team, "form": form},
        status=400 if form.errors else 200,
    )
