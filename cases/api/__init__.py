"""The cases API: DRF serializers and viewsets over the same services and selectors."""

from cases.api.cases import (
    CASE_NOT_SEEN,
    AssessmentSerializer,
    CaseActionCreateSerializer,
    CaseActionSerializer,
    CaseActionViewSet,
    CaseSerializer,
    CaseViewSet,
    ChronologyEntrySerializer,
    ChronologyFilterSerializer,
    InvolvementSerializer,
    ProfessionalSerializer,
    RestrictedNoticeSerializer,
    StaleActionSerializer,
)
from cases.api.children import (
    ChildAddressSerializer,
    ChildSerializer,
    ChildUpdateSerializer,
    ChildViewSet,
)
from cases.api.common import (
    FORBIDDEN,
    ID_PARAMETER,
    INVALID,
    NOT_FOUND,
    UUID_PATTERN,
    AgencySerializer,
    ChildSummarySerializer,
    ReferenceSerializer,
    _as_drf_error,
    _audit_list,
)
from cases.api.concerns import (
    ConcernCreateSerializer,
    ConcernSerializer,
    ConcernViewSet,
    DecisionSerializer,
    LinkChildSerializer,
    ReturnSerializer,
)
from cases.api.involvements import CaseInvolvementViewSet
from cases.api.search import SearchView
from cases.api.statutory import CaseStatutoryViewSet
from cases.api.visits import CaseVisitViewSet, PlanScheduleViewSet

__all__ = [
    "CaseInvolvementViewSet",
    "CaseVisitViewSet",
    "PlanScheduleViewSet",
    "SearchView",
    "AgencySerializer",
    "AssessmentSerializer",
    "CASE_NOT_SEEN",
    "CaseActionCreateSerializer",
    "CaseActionSerializer",
    "CaseActionViewSet",
    "CaseSerializer",
    "CaseStatutoryViewSet",
    "CaseViewSet",
    "ChildAddressSerializer",
    "ChildSerializer",
    "ChildSummarySerializer",
    "ChildUpdateSerializer",
    "ChildViewSet",
    "ChronologyEntrySerializer",
    "ChronologyFilterSerializer",
    "ConcernCreateSerializer",
    "ConcernSerializer",
    "ConcernViewSet",
    "DecisionSerializer",
    "FORBIDDEN",
    "ID_PARAMETER",
    "INVALID",
    "InvolvementSerializer",
    "LinkChildSerializer",
    "NOT_FOUND",
    "ProfessionalSerializer",
    "ReferenceSerializer",
    "RestrictedNoticeSerializer",
    "ReturnSerializer",
    "StaleActionSerializer",
    "UUID_PATTERN",
    "_as_drf_error",
    "_audit_list",
]
