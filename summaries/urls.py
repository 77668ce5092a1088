"""Pages for PDF case summaries (SPEC 3.7)."""

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
]
