"""Pages for the CIN census return (SPEC 3.11), under /census/."""

from django.urls import path

from census import views

urlpatterns = [
    path("", views.census_home, name="census_home"),
    path("<uuid:return_id>/", views.census_status, name="census_status"),
    path("<uuid:return_id>/status.json", views.census_status_json, name="census_status_json"),
    path("<uuid:return_id>/download/", views.census_download, name="census_download"),
]
