"""Pages for subject access requests (SPEC 3.9), under /subject-access/."""

from django.urls import path

from subject_access import views

urlpatterns = [
    path("", views.request_list, name="subject_access_list"),
    path("new/", views.find_child, name="subject_access_find"),
    path("new/<uuid:child_id>/", views.log_request, name="subject_access_new"),
    path("<uuid:request_id>/", views.request_detail, name="subject_access_detail"),
    path("<uuid:request_id>/identity/", views.check_identity, name="subject_access_identity"),
    path("<uuid:request_id>/extend/", views.extend, name="subject_access_extend"),
    path("<uuid:request_id>/gather/", views.gather, name="subject_access_gather"),
    path("<uuid:request_id>/items/", views.items, name="subject_access_items"),
    path(
        "<uuid:request_id>/items/<uuid:item_id>/redact/",
        views.redact,
        name="subject_access_redact",
    ),
    path(
        "<uuid:request_id>/redactions/<uuid:redaction_id>/remove/",
        views.remove_redaction,
        name="subject_access_redaction_remove",
    ),
    path("<uuid:request_id>/bundle/", views.produce_bundle, name="subject_access_produce"),
    path(
        "<uuid:request_id>/bundles/<uuid:bundle_id>/",
        views.bundle_status,
        name="subject_access_bundle",
    ),
    path(
        "<uuid:request_id>/bundles/<uuid:bundle_id>/status.json",
        views.bundle_status_json,
        name="subject_access_bundle_json",
    ),
    path(
        "<uuid:request_id>/bundles/<uuid:bundle_id>/bundle.pdf",
        views.download_pdf,
        name="subject_access_pdf",
    ),
    path(
        "<uuid:request_id>/bundles/<uuid:bundle_id>/export.json",
        views.download_export,
        name="subject_access_export",
    ),
    path("<uuid:request_id>/sent/", views.mark_sent, name="subject_access_sent"),
]
