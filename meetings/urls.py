"""Pages for meetings and conferences (SPEC 3.5)."""

from django.urls import path

from meetings import attendee_views, change_views, invite_views, record_views
from meetings import views as meeting_views

urlpatterns = [
    path("meetings/", meeting_views.meeting_list, name="meeting_list"),
    path(
        "cases/<uuid:case_id>/meetings/new/",
        meeting_views.meeting_choose_kind,
        name="meeting_choose_kind",
    ),
    path(
        "cases/<uuid:case_id>/meetings/new/<slug:kind>/",
        meeting_views.meeting_schedule,
        name="meeting_schedule",
    ),
    path("meetings/<uuid:meeting_id>/", meeting_views.meeting_detail, name="meeting_detail"),
    path(
        "meetings/<uuid:meeting_id>/invitations/<uuid:invitation_id>/reply/",
        meeting_views.meeting_respond,
        name="meeting_respond",
    ),
    path(
        "meetings/<uuid:meeting_id>/invitations/<uuid:invitation_id>/withdraw/",
        meeting_views.meeting_invitation_withdraw,
        name="meeting_invitation_withdraw",
    ),
    path(
        "meetings/<uuid:meeting_id>/reschedule/",
        change_views.meeting_reschedule,
        name="meeting_reschedule",
    ),
    path("meetings/<uuid:meeting_id>/cancel/", change_views.meeting_cancel, name="meeting_cancel"),
    path("meetings/<uuid:meeting_id>/report/", meeting_views.meeting_report, name="meeting_report"),
    path("meetings/<uuid:meeting_id>/invite/", meeting_views.meeting_invite, name="meeting_invite"),
    path(
        "meetings/<uuid:meeting_id>/invite/another-agency/",
        invite_views.meeting_invite_beyond,
        name="meeting_invite_beyond",
    ),
    path(
        "meetings/<uuid:meeting_id>/invitation-requests/<uuid:invitation_request_id>/answer/",
        invite_views.invitation_request_answer,
        name="meeting_invitation_request_answer",
    ),
    path(
        "meetings/<uuid:meeting_id>/invite-person/",
        meeting_views.meeting_invite_person,
        name="meeting_invite_person",
    ),
    path(
        "meetings/<uuid:meeting_id>/attendees/new/",
        attendee_views.meeting_attendee_add,
        name="meeting_attendee_add",
    ),
    path("meetings/<uuid:meeting_id>/record/", record_views.meeting_record, name="meeting_record"),
    path(
        "meetings/<uuid:meeting_id>/agenda/",
        record_views.meeting_agenda_add,
        name="meeting_agenda_add",
    ),
    path(
        "meetings/<uuid:meeting_id>/dissent/",
        record_views.meeting_dissent_add,
        name="meeting_dissent_add",
    ),
    path(
        "meetings/<uuid:meeting_id>/actions/",
        record_views.meeting_action_add,
        name="meeting_action_add",
    ),
    path(
        "meetings/<uuid:meeting_id>/finalise/",
        record_views.meeting_finalise,
        name="meeting_finalise",
    ),
    path(
        "meetings/<uuid:meeting_id>/addenda/",
        meeting_views.meeting_addendum_add,
        name="meeting_addendum_add",
    ),
]
