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

from agencies.api import AgencyMembershipViewSet, AgencyMemberViewSet, AgencyTeamViewSet
from cases.api import (
    CaseActionViewSet,
    CaseInvolvementViewSet,
    CaseStatutoryViewSet,
    CaseViewSet,
    CaseVisitViewSet,
    ChildViewSet,
    ConcernViewSet,
    PlanScheduleViewSet,
    SearchView,
)
from cases.api.allocation import AllocationViewSet
from cases.api.audit import AuditSearchViewSet
from cases.api.merges import ChildMergeViewSet
from cases.api.oversight import CaseOversightViewSet
from cases.api.people import HouseholdViewSet, ProfessionalViewSet
from cases.api.record import CaseDocumentViewSet, CaseNoteViewSet
from cases.api.restriction import BreakGlassViewSet, RestrictionViewSet
from census.api import CensusReturnViewSet
from meetings.api import MeetingAttendeeViewSet, MeetingViewSet
from oversight.api import DashboardViewSet
from referrals.api import ReferralViewSet
from retention.api import (
    CertificateViewSet,
    LegalHoldViewSet,
    RetentionReviewViewSet,
    RetentionScheduleView,
)
from subject_access import api as sar_api
from summaries.api import CaseSummaryDetailView, CaseSummaryDownloadView, CaseSummaryListView
from work.api import AccountViewSet, NotificationViewSet

router = DefaultRouter()
router.register("children", ChildViewSet, basename="child")
router.register("cases", CaseViewSet, basename="case")
router.register("concerns", ConcernViewSet, basename="concern")
router.register("referrals", ReferralViewSet, basename="referral")
router.register("meetings", MeetingViewSet, basename="meeting")

case_actions = CaseActionViewSet.as_view({"get": "list", "post": "create"})
case_action_done = CaseActionViewSet.as_view({"post": "done"})
case_involvements = CaseInvolvementViewSet.as_view({"get": "list"})
case_involvement_end = CaseInvolvementViewSet.as_view({"post": "end"})

LIST_ADD = {"get": "list", "post": "create"}
CASE = "cases/<uuid:case_pk>/"

# Parts of one case, each resolved through the case's selector first.
case_parts = [
    path(
        CASE + "allocation/",
        AllocationViewSet.as_view({"post": "create"}),
        name="case-allocation",
    ),
    path(CASE + "notes/", CaseNoteViewSet.as_view(LIST_ADD), name="case-notes"),
    path(CASE + "documents/", CaseDocumentViewSet.as_view(LIST_ADD), name="case-documents"),
    path(
        CASE + "documents/<uuid:pk>/download/",
        CaseDocumentViewSet.as_view({"get": "download"}),
        name="case-document-download",
    ),
    path(CASE + "household/", HouseholdViewSet.as_view(LIST_ADD), name="case-household"),
    path(CASE + "professionals/", ProfessionalViewSet.as_view(LIST_ADD), name="case-professionals"),
    path(
        CASE + "professionals/<uuid:pk>/end/",
        ProfessionalViewSet.as_view({"post": "end"}),
        name="case-professional-end",
    ),
    path(
        CASE + "restriction/",
        RestrictionViewSet.as_view({"post": "restrict"}),
        name="case-restrict",
    ),
    path(
        CASE + "restriction/lift/",
        RestrictionViewSet.as_view({"post": "lift"}),
        name="case-restriction-lift",
    ),
    path(
        CASE + "break-glass/",
        BreakGlassViewSet.as_view({"get": "current", "post": "create"}),
        name="case-break-glass",
    ),
]

case_parts += [
    path(CASE + "child/merges/", ChildMergeViewSet.as_view(LIST_ADD), name="case-child-merges"),
    path(
        CASE + "child/merges/<uuid:pk>/undo/",
        ChildMergeViewSet.as_view({"post": "undo"}),
        name="case-child-merge-undo",
    ),
]

# Oversight: the lead agency's managers and auditors (who looked, and why they can).
case_parts += [
    path(
        CASE + "access-log/",
        CaseOversightViewSet.as_view({"get": "access_log"}),
        name="case-access-log",
    ),
    path(
        CASE + "who-can-see/",
        CaseOversightViewSet.as_view({"get": "who_can_see"}),
        name="case-who-can-see",
    ),
]

# Agency administration (agency administrators only; 404 for anyone else).
AGENCY = "agencies/<slug:slug>/"
agency_admin = [
    path(AGENCY + "members/", AgencyMemberViewSet.as_view(LIST_ADD), name="agency-members"),
    path(
        AGENCY + "members/<int:membership_id>/role/",
        AgencyMembershipViewSet.as_view({"post": "role"}),
        name="agency-member-role",
    ),
    path(
        AGENCY + "members/<int:membership_id>/deactivate/",
        AgencyMembershipViewSet.as_view({"post": "deactivate"}),
        name="agency-member-deactivate",
    ),
    path(AGENCY + "teams/", AgencyTeamViewSet.as_view(LIST_ADD), name="agency-teams"),
    path(
        AGENCY + "teams/<uuid:pk>/",
        AgencyTeamViewSet.as_view({"get": "retrieve", "put": "update"}),
        name="agency-team",
    ),
]


# The oversight dashboard and conferences owed (oversight.api): the pages'
# figures and drill-downs, for the same people.
dashboard = [
    path("dashboard/", DashboardViewSet.as_view({"get": "overview"}), name="dashboard-api"),
    path(
        "dashboard/cases/",
        DashboardViewSet.as_view({"get": "cases"}),
        name="dashboard-api-cases",
    ),
    path(
        "dashboard/timescales/<slug:code>/",
        DashboardViewSet.as_view({"get": "timescale"}),
        name="dashboard-api-timescale",
    ),
    path(
        "dashboard/conferences/",
        DashboardViewSet.as_view({"get": "conferences"}),
        name="dashboard-api-conferences",
    ),
]


def _statutory(**methods: str):
    return CaseStatutoryViewSet.as_view(methods)


case_visits = CaseVisitViewSet.as_view({"get": "list", "post": "create"})
plan_schedule = PlanScheduleViewSet.as_view({"post": "create"})
meeting_attendees = MeetingAttendeeViewSet.as_view({"get": "list", "post": "create"})

# Retention and legal hold (retention.api): information governance officers only.
REVIEW = "retention/reviews/<uuid:review_id>/"
HOLD = "retention/holds/<uuid:hold_id>/"
retention = [
    path(
        "retention/reviews/",
        RetentionReviewViewSet.as_view({"get": "list"}),
        name="retention-reviews",
    ),
    path(REVIEW, RetentionReviewViewSet.as_view({"get": "retrieve"}), name="retention-review"),
    path(
        REVIEW + "extend/",
        RetentionReviewViewSet.as_view({"post": "extend"}),
        name="retention-review-extend",
    ),
    path(
        REVIEW + "hold/",
        RetentionReviewViewSet.as_view({"post": "hold"}),
        name="retention-review-hold",
    ),
    path(
        REVIEW + "destroy/",
        RetentionReviewViewSet.as_view({"post": "destroy_record"}),
        name="retention-review-destroy",
    ),
    path("retention/holds/", LegalHoldViewSet.as_view(LIST_ADD), name="retention-holds"),
    path(HOLD, LegalHoldViewSet.as_view({"get": "retrieve"}), name="retention-hold"),
    path(HOLD + "lift/", LegalHoldViewSet.as_view({"post": "lift"}), name="retention-hold-lift"),
    path(
        "retention/certificates/",
        CertificateViewSet.as_view({"get": "list"}),
        name="retention-certificates",
    ),
    path(
        "retention/certificates/<uuid:certificate_id>/",
        CertificateViewSet.as_view({"get": "retrieve"}),
        name="retention-certificate",
    ),
    path("retention/schedule/", RetentionScheduleView.as_view(), name="retention-schedule"),
]

# The CIN census return (census.api): the lead agency's managers and auditors.
RETURN = "census/returns/<uuid:return_id>/"
census = [
    path("census/returns/", CensusReturnViewSet.as_view(LIST_ADD), name="census-returns"),
    path(RETURN, CensusReturnViewSet.as_view({"get": "retrieve"}), name="census-return"),
    path(
        RETURN + "status/",
        CensusReturnViewSet.as_view({"get": "progress"}),
        name="census-return-status",
    ),
    path(
        RETURN + "download/",
        CensusReturnViewSet.as_view({"get": "download"}),
        name="census-return-download",
    ),
]

# Subject access requests (subject_access.api): the authority's information
# governance officers only; a 404 for everyone else.
SAR = "subject-access/<uuid:request_id>/"
subject_access = [
    path("subject-access/", sar_api.SubjectAccessRequestListView.as_view(), name="subject-access"),
    path(
        "subject-access/children/",
        sar_api.ChildSearchView.as_view(),
        name="subject-access-children",
    ),
    path(
        "subject-access/children/<uuid:child_id>/",
        sar_api.ChildHouseholdView.as_view(),
        name="subject-access-child",
    ),
    path(
        "subject-access/children/<uuid:child_id>/requests/",
        sar_api.LogRequestView.as_view(),
        name="subject-access-log",
    ),
    path(SAR, sar_api.RequestDetailView.as_view(), name="subject-access-request"),
    path(SAR + "identity/", sar_api.IdentityView.as_view(), name="subject-access-identity"),
    path(SAR + "extend/", sar_api.ExtendView.as_view(), name="subject-access-extend"),
    path(SAR + "gather/", sar_api.GatherView.as_view(), name="subject-access-gather"),
    path(SAR + "items/", sar_api.ItemListView.as_view(), name="subject-access-items"),
    path(
        SAR + "items/<uuid:item_id>/",
        sar_api.ItemDetailView.as_view(),
        name="subject-access-item",
    ),
    path(
        SAR + "items/<uuid:item_id>/redactions/",
        sar_api.RedactView.as_view(),
        name="subject-access-redact",
    ),
    path(
        SAR + "redactions/<uuid:redaction_id>/",
        sar_api.RedactionView.as_view(),
        name="subject-access-redaction",
    ),
    path(SAR + "bundles/", sar_api.BundleCreateView.as_view(), name="subject-access-bundles"),
    path(
        SAR + "bundles/<uuid:bundle_id>/",
        sar_api.BundleStatusView.as_view(),
        name="subject-access-bundle",
    ),
    path(
        SAR + "bundles/<uuid:bundle_id>/pdf/",
        sar_api.BundlePdfView.as_view(),
        name="subject-access-bundle-pdf",
    ),
    path(
        SAR + "bundles/<uuid:bundle_id>/export/",
        sar_api.BundleExportView.as_view(),
        name="subject-access-bundle-export",
    ),
    path(SAR + "sent/", sar_api.SentView.as_view(), name="subject-access-sent"),
]

urlpatterns = [
    *router.urls,
    *retention,
    *census,
    *subject_access,
    *case_parts,
    *agency_admin,
    *dashboard,
    path("search/", SearchView.as_view(), name="api-search"),
    path("audit/", AuditSearchViewSet.as_view({"get": "list"}), name="audit-search"),
    path(
        "account/",
        AccountViewSet.as_view({"get": "retrieve", "patch": "partial_update"}),
        name="account",
    ),
    path(
        "account/token/revoke/",
        AccountViewSet.as_view({"post": "revoke_token"}),
        name="account-token-revoke",
    ),
    path(
        "notifications/",
        NotificationViewSet.as_view({"get": "list"}),
        name="notifications",
    ),
    path(
        "notifications/<uuid:notification_id>/read/",
        NotificationViewSet.as_view({"post": "read"}),
        name="notification-read",
    ),
    path("cases/<uuid:case_pk>/actions/", case_actions, name="case-actions"),
    path("cases/<uuid:case_pk>/actions/<uuid:pk>/done/", case_action_done, name="case-action-done"),
    path("cases/<uuid:case_pk>/involvements/", case_involvements, name="case-involvements"),
    path(
        "cases/<uuid:case_pk>/involvements/<uuid:pk>/end/",
        case_involvement_end,
        name="case-involvement-end",
    ),
    # The lead agency's statutory work (cases.api.statutory)
    path(
        "cases/<uuid:case_pk>/assessments/",
        _statutory(post="assessment_start"),
        name="case-assessments",
    ),
    path(
        "cases/<uuid:case_pk>/assessments/<uuid:pk>/complete/",
        _statutory(post="assessment_complete"),
        name="case-assessment-complete",
    ),
    path(
        "cases/<uuid:case_pk>/assessments/<uuid:pk>/authorise/",
        _statutory(post="assessment_authorise"),
        name="case-assessment-authorise",
    ),
    path(
        "cases/<uuid:case_pk>/section-47/",
        _statutory(get="section47_list", post="section47_start"),
        name="case-section47",
    ),
    path(
        "cases/<uuid:case_pk>/section-47/<uuid:pk>/complete/",
        _statutory(post="section47_complete"),
        name="case-section47-complete",
    ),
    path(
        "cases/<uuid:case_pk>/plans/",
        _statutory(get="plan_list", post="plan_start"),
        name="case-plans",
    ),
    path(
        "cases/<uuid:case_pk>/plans/<uuid:pk>/end/",
        _statutory(post="plan_end"),
        name="case-plan-end",
    ),
    path("cases/<uuid:case_pk>/closure/", _statutory(post="closure_request"), name="case-closure"),
    path(
        "cases/<uuid:case_pk>/closure/authorise/",
        _statutory(post="closure_authorise"),
        name="case-closure-authorise",
    ),
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
