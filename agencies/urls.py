from django.urls import path

from . import views

urlpatterns = [
    path("", views.agency_members_home, name="agency_members_home"),
    path("<slug:slug>/members/", views.agency_members, name="agency_members"),
    path("<slug:slug>/members/invite/", views.agency_member_invite, name="agency_member_invite"),
    path(
        "<slug:slug>/members/<int:membership_id>/",
        views.agency_membership_edit,
        name="agency_membership_edit",
    ),
]
