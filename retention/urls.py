"""Pages for retention and legal hold (SPEC 3.9), under /retention/."""

from django.urls import path

from retention import views

urlpatterns = [
    path("", views.retention_queue, name="retention_queue"),
    path("<uuid:review_id>/", views.retention_review, name="retention_review"),
    path("<uuid:review_id>/extend/", views.retention_extend, name="retention_extend"),
    path("<uuid:review_id>/hold/", views.retention_hold, name="retention_hold"),
    path("<uuid:review_id>/destroy/", views.retention_destroy, name="retention_destroy"),
    path("holds/", views.legal_holds, name="legal_holds"),
    path("holds/<uuid:hold_id>/lift/", views.legal_hold_lift, name="legal_hold_lift"),
    path("certificates/", views.certificate_list, name="retention_certificates"),
    path(
        "certificates/<uuid:certificate_id>/",
        views.certificate_detail,
        name="retention_certificate",
    ),
]
