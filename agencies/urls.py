from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy
from django.views.generic import TemplateView

from agencies import views

urlpatterns = [
    path("", views.agency_members_home, name="agency_members_home"),
    # The link in an invitation e-mail: set a first password, then sign in.
    path(
        "welcome/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="agencies/set_password.html",
            success_url=reverse_lazy("member_password_set"),
        ),
        name="member_set_password",
    ),
    path(
        "welcome/done/",
        TemplateView.as_view(template_name="agencies/password_set.html"),
        name="member_password_set",
    ),
    path("<slug:slug>/members/", views.agency_members, name="agency_members"),
    path("<slug:slug>/teams/", views.agency_teams, name="agency_teams"),
    path("<slug:slug>/teams/<uuid:team_id>/", views.agency_team_edit, name="agency_team_edit"),
    path("<slug:slug>/members/invite/", views.agency_member_invite, name="agency_member_invite"),
    path(
        "<slug:slug>/members/<int:membership_id>/",
        views.agency_membership_edit,
        name="agency_membership_edit",
    ),
]
