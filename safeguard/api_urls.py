"""API v1 (mounted at ``/api/v1/``): one router, each app's viewsets registered here.

This module only aggregates; every rule lives in the app's ``api.py`` and the
selectors and services it calls. To add an app's routes, import its viewsets
and register them below. Object routes must match UUIDs only
(``lookup_value_regex = cases.api.UUID_PATTERN``), so other ids are a 404
rather than a database error; routes nested under an object (such as
``cases/{id}/chronology/``) are ``@action(detail=True)`` on the parent's
viewset, which resolves the parent through its selector first.
"""

from django.urls import path
from rest_framework.routers import DefaultRouter

from cases.api import (
    CaseActionViewSet,
    CaseViewSet,
    CaseVisitViewSet,
    ChildViewSet,
    ConcernViewSet,
    PlanScheduleViewSet,
)
from meetings.api import MeetingAttendeeViewSet, MeetingViewSet
from referrals.api import ReferralViewSet
from summaries.api import CaseSummaryDetailView, CaseSummaryDownloadView, CaseSummaryListView

router = DefaultRouter()
router.register("children", ChildViewSet, basename="child")
router.register("cases", CaseViewSet, basename="case")
router.register("concerns", ConcernViewSet, basename="concern")
router.register("referrals", ReferralViewSet, basename="referral")
router.register("meetings", MeetingViewSet, basename="meeting")

case_actions = CaseActionViewSet.as_view({"get": "list", "post": "create"})
case_action_done = CaseActionViewSet.as_view({"post": "done"})
case_visits = CaseVisitViewSet.as_view({"get": "list", "post": "create"})
plan_schedule = PlanScheduleViewSet.as_view({"post": "create"})
meeting_attendees = MeetingAttendeeViewSet.as_view({"get": "list", "post": "create"})

urlpatterns = [
    *router.urls,
    path("cases/<uuid:case_pk>/actions/", case_actions, name="case-actions"),
    path("cases/<uuid:case_pk>/actions/<uuid:pk>/done/", case_action_done, name="case-action-done"),
    path("cases/<uuid:case_pk>/visits/", case_visits, name="case-visits"),
    path("meetings/<uuid:meeting_pk>/attendees/", meeting_attendees, name="meeting-attendees"),
    path(
        "cases/<uuid:case_pk>/plans/<uuid:pk>/schedule/", plan_schedule, name="case-plan-schedule"
    ),
    # PDF case summaries (summaries.api)
    path(
        "cases/<uuid:case_pk>/summaries/",
        CaseSummaryListView.as_view(),
        name="case-summaries",
    ),
    path(
        "cases/<uuid:case_pk>/summaries/<uuid:pk>/",
        CaseSummaryDetailView.as_view(),
        name="case-summary-detail",
    ),
    path(
        "cases/<uuid:case_pk>/summaries/<uuid:pk>/download/",
        CaseSummaryDownloadView.as_view(),
        name="case-summary-download",
    ),
]
