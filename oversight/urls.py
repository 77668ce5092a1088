from django.urls import path

from oversight import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("cases/", views.workload_cases, name="dashboard_cases"),
    path("timescales/<slug:code>/", views.figure_cases, name="dashboard_figure"),
    path("conferences/", views.conferences_due, name="conferences_due"),
]
