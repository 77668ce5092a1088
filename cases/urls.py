from django.urls import path

from cases import audit_views, case_views, concern_views, front_door_views

urlpatterns = [
    path("concerns/", concern_views.concern_list, name="concern_list"),
    path("concerns/new/", concern_views.concern_create, name="concern_create"),
    path("concerns/autosave/", concern_views.concern_autosave, name="concern_autosave_new"),
    path("concerns/<uuid:concern_id>/", concern_views.concern_detail, name="concern_detail"),
    path("concerns/<uuid:concern_id>/edit/", concern_views.concern_edit, name="concern_edit"),
    path(
        "concerns/<uuid:concern_id>/body-map/",
        concern_views.concern_body_map_add,
        name="concern_body_map_add",
    ),
    path(
        "concerns/<uuid:concern_id>/autosave/",
        concern_views.concern_autosave,
        name="concern_autosave",
    ),
    path(
        "concerns/<uuid:concern_id>/submitted/",
        concern_views.concern_submitted,
        name="concern_submitted",
    ),
    path("front-door/", front_door_views.front_door, name="front_door"),
    path("front-door/<uuid:concern_id>/", front_door_views.concern_triage, name="concern_triage"),
    path(
        "front-door/<uuid:concern_id>/link-child/",
        front_door_views.concern_link_child,
        name="concern_link_child",
    ),
    path(
        "front-door/<uuid:concern_id>/new-child/",
        front_door_views.concern_create_child,
        name="concern_create_child",
    ),
    path(
        "front-door/<uuid:concern_id>/decision/",
        front_door_views.concern_decide,
        name="concern_decide",
    ),
    path(
        "front-door/<uuid:concern_id>/authorise/",
        front_door_views.concern_authorise,
        name="concern_authorise",
    ),
    path(
        "front-door/<uuid:concern_id>/return/",
        front_door_views.concern_return,
        name="concern_return",
    ),
    path("audit/", audit_views.audit_search, name="audit_search"),
    path("cases/", case_views.case_list, name="case_list"),
    path("cases/<uuid:case_id>/", case_views.case_detail, name="case_detail"),
    path("cases/<uuid:case_id>/break-glass/", case_views.case_break_glass, name="case_break_glass"),
    path("cases/<uuid:case_id>/agencies/", case_views.case_add_agency, name="case_add_agency"),
    path("cases/<uuid:case_id>/notes/", case_views.case_note_add, name="case_note_add"),
    path("cases/<uuid:case_id>/allocate/", case_views.case_allocate, name="case_allocate"),
    path(
        "cases/<uuid:case_id>/professionals/",
        case_views.case_professional_add,
        name="case_professional_add",
    ),
    path(
        "cases/<uuid:case_id>/professionals/<uuid:professional_id>/end/",
        case_views.case_professional_end,
        name="case_professional_end",
    ),
    path("cases/<uuid:case_id>/child/", case_views.case_child_edit, name="case_child_edit"),
    path("cases/<uuid:case_id>/child/merge/", case_views.case_child_merge, name="case_child_merge"),
    path(
        "cases/<uuid:case_id>/child/merges/<uuid:merge_id>/undo/",
        case_views.case_child_merge_undo,
        name="case_child_merge_undo",
    ),
    path("cases/<uuid:case_id>/actions/", case_views.case_action_add, name="case_action_add"),
    path(
        "cases/<uuid:case_id>/household/", case_views.case_household_add, name="case_household_add"
    ),
    path(
        "cases/<uuid:case_id>/assessments/<uuid:assessment_id>/<slug:step>/",
        case_views.case_assessment,
        name="case_assessment",
    ),
    path("cases/<uuid:case_id>/close/<slug:step>/", case_views.case_close, name="case_close"),
    path("cases/<uuid:case_id>/plans/<slug:step>/", case_views.case_plan, name="case_plan"),
    path(
        "cases/<uuid:case_id>/section-47/<slug:step>/",
        case_views.case_section47,
        name="case_section47",
    ),
    path(
        "cases/<uuid:case_id>/actions/<uuid:action_id>/done/",
        case_views.case_action_done,
        name="case_action_done",
    ),
    path(
        "cases/<uuid:case_id>/chronology/",
        case_views.case_chronology_add,
        name="case_chronology_add",
    ),
    path(
        "cases/<uuid:case_id>/documents/",
        case_views.case_document_upload,
        name="case_document_upload",
    ),
    path(
        "cases/<uuid:case_id>/documents/<uuid:document_id>/",
        case_views.case_document_download,
        name="case_document_download",
    ),
    path(
        "cases/<uuid:case_id>/agencies/<uuid:involvement_id>/end/",
        case_views.case_end_involvement,
        name="case_end_involvement",
    ),
    path("cases/<uuid:case_id>/restrict/", case_views.case_restrict, name="case_restrict"),
    path("cases/<uuid:case_id>/access-log/", case_views.case_access_log, name="case_access_log"),
    path(
        "cases/<uuid:case_id>/who-can-see/",
        case_views.case_access_explained,
        name="case_access_explained",
    ),
]
