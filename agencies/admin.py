"""For the operators only (``/operator/``): teams are set up here until agency
administrators get a page of their own."""

from django.contrib import admin

from agencies.models import Team


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "agency", "manager"]
    list_filter = ["agency"]
    search_fields = ["name", "agency__name"]
    filter_horizontal = ["members"]
    raw_id_fields = ["manager"]
