"""For the operators only (``/operator/``): teams are set up here until agency
administrators get a page of their own."""

from django.contrib import admin

from agencies.models import Agency, Team


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    """The DfE local authority code (the CIN census header's LEA) is set here for
    a lead agency; the model refuses anything but three digits."""

    list_display = ["name", "slug", "kind", "la_code", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "slug"]
    fields = ["name", "slug", "kind", "la_code", "is_active"]
    readonly_fields = ["slug", "kind"]

    def has_add_permission(self, request) -> bool:
        return False  # agencies are onboarded through their own process

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "agency", "manager"]
    list_filter = ["agency"]
    search_fields = ["name", "agency__name"]
    filter_horizontal = ["members"]
    raw_id_fields = ["manager"]
