"""Roles, and which Django group each (agency, role) pair is.

Access to case data is granted to an agency's role groups, never to thousands of
users one by one, so granting or ending an agency's involvement costs
O(roles), and a person's access follows their memberships at once.
"""

from django.db import models


class Role(models.TextChoices):
    PRACTITIONER = "practitioner", "Practitioner"
    SOCIAL_WORKER = "social_worker", "Social worker"
    MANAGER = "manager", "Manager"
    CHAIR = "chair", "Chair"
    AGENCY_ADMIN = "agency_admin", "Agency administrator"
    AUDITOR = "auditor", "Auditor"


# Roles whose holders see cases in which their agency is involved.
CASE_WORKING_ROLES = frozenset({Role.PRACTITIONER, Role.SOCIAL_WORKER, Role.MANAGER})
# In the lead agency only social workers and managers see its cases (SPEC 2).
LEAD_AGENCY_ROLES = frozenset({Role.SOCIAL_WORKER, Role.MANAGER})
# The front door (triage) is worked by these roles in a social care agency.
TRIAGE_ROLES = frozenset({Role.SOCIAL_WORKER, Role.MANAGER})
# Roles that may log a concern.
CONCERN_LOGGING_ROLES = frozenset({Role.PRACTITIONER, Role.SOCIAL_WORKER, Role.MANAGER})
# Roles whose work is cases and meetings: the case workers and the chairs of
# their meetings (chairs see the cases they chair).
CASE_AND_MEETING_ROLES = CASE_WORKING_ROLES | {Role.CHAIR}
# The statutory return (CIN census): a lead agency's managers produce it, its
# auditors check what went to the DfE (SPEC 3.11).
CENSUS_ROLES = frozenset({Role.MANAGER, Role.AUDITOR})
# Everyone but an agency administrator reaches case data (auditors through
# exports), so they sign in with a second factor.
TWO_FACTOR_ROLES = frozenset(Role) - {Role.AGENCY_ADMIN}
# A lead agency's managers and auditors see who has looked at a case, never its content.
OVERSIGHT_ROLES = frozenset({Role.MANAGER, Role.AUDITOR})
# Subject access requests (UK GDPR Art. 15) are answered by the local
# authority's information governance officers: the auditors of a lead agency
# (SPEC 1: they see case data only through such exports).
INFORMATION_GOVERNANCE_ROLES = frozenset({Role.AUDITOR})
# Information governance: the retention review queue, legal holds and the
# destruction of records past their date (SPEC 3.9) are an auditor's work.
RETENTION_ROLES = frozenset({Role.AUDITOR})


def group_name(agency_slug: str, role: str) -> str:
    return f"{agency_slug}:{role}"


# Model-level permissions each role's group holds. Which objects they apply to
# is decided by the object-level grants (guardian) and the selectors.
ROLE_PERMISSIONS: dict[Role, tuple[str, ...]] = {
    Role.PRACTITIONER: ("cases.add_concern",),
    Role.SOCIAL_WORKER: ("cases.add_concern", "cases.triage_concern", "cases.add_child"),
    Role.MANAGER: (
        "cases.add_concern",
        "cases.triage_concern",
        "cases.add_child",
        "cases.authorise_triage_decision",
    ),
    Role.CHAIR: (),
    Role.AGENCY_ADMIN: (),
    Role.AUDITOR: ("audit.view_auditevent",),
}
