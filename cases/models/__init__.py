"""The cases app's models, one module per subject; every model is re-exported
here, so ``from cases.models import Case`` works and Django finds them all."""

from cases.models.case import (
    BreakGlass,
    Case,
    CaseGroupObjectPermission,
    CaseUserObjectPermission,
    Involvement,
    InvolvementReason,
    NamedAccess,
)
from cases.models.children import Child, ChildAddress, ChildMerge, Sex
from cases.models.concerns import (
    BodyMapMark,
    Concern,
    ConcernGroupObjectPermission,
    ConcernUserObjectPermission,
)
from cases.models.record import (
    CaseAction,
    CaseDocument,
    CaseNote,
    CaseProfessional,
    ChronologyEntry,
    HouseholdMember,
)
from cases.models.statutory import Assessment, CaseClosure, Episode, Plan, Section47Enquiry
from cases.models.visits import StatutoryVisit
from cases.models.wishes import WishesNotObtained

__all__ = [
    "Assessment",
    "BodyMapMark",
    "BreakGlass",
    "Case",
    "CaseAction",
    "CaseClosure",
    "CaseDocument",
    "CaseGroupObjectPermission",
    "CaseNote",
    "CaseProfessional",
    "CaseUserObjectPermission",
    "Child",
    "ChildAddress",
    "ChildMerge",
    "ChronologyEntry",
    "Concern",
    "ConcernGroupObjectPermission",
    "ConcernUserObjectPermission",
    "Episode",
    "HouseholdMember",
    "Involvement",
    "InvolvementReason",
    "NamedAccess",
    "Plan",
    "Section47Enquiry",
    "Sex",
    "StatutoryVisit",
    "WishesNotObtained",
]
