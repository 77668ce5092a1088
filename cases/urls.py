from django.urls import path

from . import audit_views, views

urlpatterns = [
    path("concerns/", views.concern_list, name="concern_list"),
    path("concerns/new/", views.concern_create, name="concern_create"),
    path("concerns/autosave/", views.concern_autosave, name="concern_autosave_new"),
    path("concerns/<uuid:concern_id>/", views.concern_detail, name="concern_detail"),
    path("concerns/<uuid:concern_id>/edit/", views.concern_edit, name="concern_edit"),
    path("concerns/<uuid:concern_id>/autosave/", views.concern_autosave, name="concern_autosave"),
    path(
        "concerns/<uuid:concern_id>/submitted/",
        views.concern_submitted,
        name="concern_submitted",
    ),
    path("front-door/", views.front_door, name="front_door"),
    path("front-door/<uuid:concern_id>/", views.concern_triage, name="concern_triage"),
    path(
        "front-door/<uuid:concern_id>/link-child/",
        views.concern_link_child,
        name="concern_link_child",
    ),
    path(
        "front-door/<uuid:concern_id>/new-child/",
        views.concern_create_child,
        name="concern_create_child",
    ),
    path("front-door/<uuid:concern_id>/decision/", views.concern_decide, name="concern_decide"),
    path(
        "front-door/<uuid:concern_id>/authorise/",
        views.concern_authorise,
        name="concern_authorise",
    ),
    path("front-door/<uuid:concern_id>/return/", views.concern_return, name="concern_return"),
    path("audit/", audit_views.audit_search, name="audit_search"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/<uuid:case_id>/", views.case_detail, name="case_detail"),
    path("cases/<uuid:case_id>/break-glass/", views.case_break_glass, name="case_break_glass"),
    path("cases/<uuid:case_id>/agencies/", views.case_add_agency, name="case_add_agency"),
    path("cases/<uuid:case_id>/notes/", views.case_note_add, name="case_note_add"),
    path(
        "cases/<uuid:case_id>/agencies/<uuid:involvement_id>/end/",
        views.case_end_involvement,
        name="case_end_involvement",
    ),
    path("cases/<uuid:case_id>/restrict/", views.case_restrict, name="case_restrict"),
    path("cases/<uuid:case_id>/access-log/", views.case_access_log, name="case_access_log"),
    path(
        "cases/<uuid:case_id>/who-can-see/",
        views.case_access_explained,
        name="case_access_explained",
    ),
]
