from django.urls import path

from cases.views import audit, case, children, concerns, front_door, record, statutory, visits

urlpatterns = [
    path("concerns/", concerns.concern_list, name="concern_list"),
    path("concerns/new/", concerns.concern_create, name="concern_create"),
    path("concerns/autosave/", concerns.concern_autosave, name="concern_autosave_new"),
    path("concerns/<uuid:concern_id>/", concerns.concern_detail, name="concern_detail"),
    path("concerns/<uuid:concern_id>/edit/", concerns.concern_edit, name="concern_edit"),
    path(
        "concerns/<uuid:concern_id>/body-map/",
        concerns.concern_body_map_add,
        name="concern_body_map_add",
    ),
    path(
        "concerns/<uuid:concern_id>/autosave/",
        concerns.concern_autosave,
        name="concern_autosave",
    ),
    path(
        "concerns/<uuid:concern_id>/submitted/",
        concerns.concern_submitted,
        name="concern_submitted",
    ),
    path("front-door/", front_door.front_door, name="front_door"),
    path("front-door/<uuid:concern_id>/", front_door.concern_triage, name="concern_triage"),
    path(
        "front-door/<uuid:concern_id>/link-child/",
        front_door.concern_link_child,
        name="concern_link_child",
    ),
    path(
        "front-door/<uuid:concern_id>/new-child/",
        front_door.concern_create_child,
        name="concern_create_child",
    ),
    path(
        "front-door/<uuid:concern_id>/decision/",
        front_door.concern_decide,
        name="concern_decide",
    ),
    path(
        "front-door/<uuid:concern_id>/authorise/",
        front_door.concern_authorise,
        name="concern_authorise",
    ),
    path(
        "front-door/<uuid:concern_id>/return/",
        front_door.concern_return,
        name="concern_return",
    ),
    path("audit/", audit.audit_search, name="audit_search"),
    path("cases/", case.case_list, name="case_list"),
    path("cases/<uuid:case_id>/", case.case_detail, name="case_detail"),
    path("cases/<uuid:case_id>/break-glass/", case.case_break_glass, name="case_break_glass"),
    path("cases/<uuid:case_id>/agencies/", case.case_add_agency, name="case_add_agency"),
    path("cases/<uuid:case_id>/notes/", record.case_note_add, name="case_note_add"),
    path("cases/<uuid:case_id>/allocate/", record.case_allocate, name="case_allocate"),
    path(
        "cases/<uuid:case_id>/professionals/",
        record.case_professional_add,
        name="case_professional_add",
    ),
    path(
        "cases/<uuid:case_id>/professionals/<uuid:professional_id>/end/",
        record.case_professional_end,
        name="case_professional_end",
    ),
    path("cases/<uuid:case_id>/child/", children.case_child_edit, name="case_child_edit"),
    path("cases/<uuid:case_id>/child/merge/", children.case_child_merge, name="case_child_merge"),
    path(
        "cases/<uuid:case_id>/child/merges/<uuid:merge_id>/undo/",
        children.case_child_merge_undo,
        name="case_child_merge_undo",
    ),
    path("cases/<uuid:case_id>/actions/", record.case_action_add, name="case_action_add"),
    path("cases/<uuid:case_id>/household/", record.case_household_add, name="case_household_add"),
    path(
        "cases/<uuid:case_id>/assessments/<uuid:assessment_id>/<slug:step>/",
        statutory.case_assessment,
        name="case_assessment",
    ),
    path("cases/<uuid:case_id>/close/<slug:step>/", statutory.case_close, name="case_close"),
    path("cases/<uuid:case_id>/plans/<slug:step>/", statutory.case_plan, name="case_plan"),
    path(
        "cases/<uuid:case_id>/plans/<uuid:plan_id>/schedule/",
        visits.case_plan_schedule,
        name="case_plan_schedule",
    ),
    path("cases/<uuid:case_id>/visits/new/", visits.case_visit_add, name="case_visit_add"),
    path(
        "cases/<uuid:case_id>/section-47/<slug:step>/",
        statutory.case_section47,
        name="case_section47",
    ),
    path(
        "cases/<uuid:case_id>/actions/<uuid:action_id>/done/",
        record.case_action_done,
        name="case_action_done",
    ),
    path(
        "cases/<uuid:case_id>/chronology/",
        record.case_chronology_add,
        name="case_chronology_add",
    ),
    path(
        "cases/<uuid:case_id>/documents/",
        record.case_document_upload,
        name="case_document_upload",
    ),
    path(
        "cases/<uuid:case_id>/documents/<uuid:document_id>/",
        record.case_document_download,
        name="case_document_download",
    ),
    path(
        "cases/<uuid:case_id>/agencies/<uuid:involvement_id>/end/",
        case.case_end_involvement,
        name="case_end_involvement",
    ),
    path("cases/<uuid:case_id>/restrict/", case.case_restrict, name="case_restrict"),
    path("cases/<uuid:case_id>/access-log/", case.case_access_log, name="case_access_log"),
    path(
        "cases/<uuid:case_id>/who-can-see/",
        case.case_access_explained,
        name="case_access_explained",
    ),
]
