"""Pages for PDF case summaries and meeting packs (SPEC 3.7)."""

from django.urls import path

from summaries import views as summary_views

urlpatterns = [
    path("cases/<uuid:case_id>/summaries/", summary_views.case_summaries, name="case_summaries"),
    path(
        "cases/<uuid:case_id>/summaries/<uuid:summary_id>/",
        summary_views.case_summary_status,
        name="case_summary_status",
    ),
    path(
        "cases/<uuid:case_id>/summaries/<uuid:summary_id>/status.json",
        summary_views.case_summary_status_json,
        name="case_summary_status_json",
    ),
    path(
        "cases/<uuid:case_id>/summaries/<uuid:summary_id>/download/",
        summary_views.case_summary_download,
        name="case_summary_download",
    ),
    # On the meeting's path, since it is asked for from the meeting page.
    path(
        "meetings/<uuid:meeting_id>/pack/<uuid:case_id>/",
        summary_views.meeting_pack_request,
        name="meeting_pack_request",
    ),
]
